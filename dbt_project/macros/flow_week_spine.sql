{#
    flow_week_spine: one row per week (column `week_start`, a date on a Monday) from the week holding
    `start_expression` to the week holding `end_expression`, both scalar SQL expressions (subqueries
    allowed). Series generation differs by warehouse.
#}
{% macro flow_week_spine(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('flow_week_spine', 'delivery_warehouse')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__flow_week_spine(start_expression, end_expression) -%}
    {#- Up to ten years of weeks from a row-number series, then cut to the range. -#}
    with bounds as (
        select
            cast({{ dbt.date_trunc('week', start_expression) }} as date) as first_week,
            cast({{ dbt.date_trunc('week', end_expression) }} as date) as last_week
    ),
    offsets as (
        {{ dbt.generate_series(520) }}
    )
    select cast({{ dbt.dateadd('week', 'offsets.generated_number - 1', 'bounds.first_week') }} as date) as week_start
    from bounds
    cross join offsets
    where {{ dbt.dateadd('week', 'offsets.generated_number - 1', 'bounds.first_week') }} <= bounds.last_week
{%- endmacro %}

{% macro duckdb__flow_week_spine(start_expression, end_expression) -%}
    select cast(week_start as date) as week_start
    from range(
        date_trunc('week', {{ start_expression }}),
        date_trunc('week', {{ end_expression }}) + interval 1 week,
        interval 1 week
    ) as weeks(week_start)
{%- endmacro %}

{#- Spark's date_trunc('week') starts weeks on Monday; sequence() steps a week at a time. -#}
{% macro spark__flow_week_spine(start_expression, end_expression) -%}
    select explode(sequence(
        cast(date_trunc('week', {{ start_expression }}) as date),
        cast(date_trunc('week', {{ end_expression }}) as date),
        interval 1 week
    )) as week_start
{%- endmacro %}
