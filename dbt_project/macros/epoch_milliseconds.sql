{#
    Times that tools send as milliseconds (Jenkins' epoch milliseconds, Opsgenie's report delays). dbt's
    `dateadd` puts the count in an interval literal, which many warehouses hold in 32 bits: epoch
    milliseconds overflow it. So the default adds whole days, then the remaining milliseconds.
#}

{# epoch_ms_to_timestamp: epoch milliseconds as a UTC timestamp without time zone. #}
{% macro epoch_ms_to_timestamp(milliseconds) -%}
    {{ add_milliseconds(milliseconds, "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{# add_milliseconds: `timestamp` plus `milliseconds` (a bigint expression); null when either is null. #}
{% macro add_milliseconds(milliseconds, timestamp) -%}
    {{ return(adapter.dispatch('add_milliseconds', 'delivery_warehouse')(milliseconds, timestamp)) }}
{%- endmacro %}

{% macro default__add_milliseconds(milliseconds, timestamp) -%}
    {{ dbt.dateadd(
        'millisecond',
        '(' ~ milliseconds ~ ') - 86400000 * cast(floor((' ~ milliseconds ~ ') / 86400000.0) as ' ~ dbt.type_bigint() ~ ')',
        dbt.dateadd('day', 'cast(floor((' ~ milliseconds ~ ') / 86400000.0) as ' ~ dbt.type_bigint() ~ ')', timestamp)
    ) }}
{%- endmacro %}

{% macro duckdb__add_milliseconds(milliseconds, timestamp) -%}
    ({{ timestamp }} + to_milliseconds(cast({{ milliseconds }} as bigint)))
{%- endmacro %}

{#- Spark's timestampadd takes a bigint count of milliseconds. -#}
{% macro spark__add_milliseconds(milliseconds, timestamp) -%}
    timestampadd(MILLISECOND, cast({{ milliseconds }} as bigint), {{ timestamp }})
{%- endmacro %}
