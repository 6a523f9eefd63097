{#
    The dates the data covers: for each fact model and tool, the first and last date of the fact's event
    column and its rows; and, under source_tool 'all', the same over every tool. The event column of each
    fact is named in the `facts` list (and in the YAML): when the thing the fact records happened.
#}
{%- set facts = [
    ('fct_deployments', 'started_at'),
    ('fct_changes', 'merged_at'),
    ('fct_incidents', 'started_at'),
    ('fct_work_items', 'created_at'),
    ('fct_handoffs', 'handoff_at'),
] -%}

with

events as (

    {%- for fact, event_column in facts %}
    select
        '{{ fact }}' as fact_model,
        '{{ event_column }}' as event_column,
        source_tool,
        {{ event_column }} as event_at
    from {{ ref(fact) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

by_tool as (

    select fact_model, event_column, source_tool, min(event_at) as first_event_at, max(event_at) as last_event_at,
        count(*) as row_count
    from events
    group by fact_model, event_column, source_tool

),

-- the organisation row of each fact: every tool together
all_tools as (

    select fact_model, event_column, 'all' as source_tool, min(event_at) as first_event_at,
        max(event_at) as last_event_at, count(*) as row_count
    from events
    group by fact_model, event_column

),

coverage as (

    select * from by_tool
    union all
    select * from all_tools

)

select
    cast({{ dbt.concat(['source_tool', "':'", 'fact_model']) }} as {{ dbt.type_string() }}) as coverage_key,
    cast(source_tool as {{ dbt.type_string() }}) as source_tool,
    cast(fact_model as {{ dbt.type_string() }}) as fact_model,
    cast(event_column as {{ dbt.type_string() }}) as event_column,
    cast(first_event_at as date) as first_event_date,
    cast(last_event_at as date) as last_event_date,
    cast(row_count as {{ dbt.type_bigint() }}) as row_count
from coverage
