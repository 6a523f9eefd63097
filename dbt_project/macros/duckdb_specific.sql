{#
    The few expressions that differ between warehouses. Each is dispatched: the `default__` version is
    plain SQL, the `duckdb__` version exists only where DuckDB needs or allows something better.
#}

{#
    to_utc_timestamp: a TIMESTAMP WITH TIME ZONE as a UTC timestamp without time zone.

    Why DuckDB-specific: in DuckDB a plain cast from TIMESTAMPTZ to TIMESTAMP renders the instant in the
    *session's* TimeZone. Staging models are views, evaluated by whichever session reads them (BI tools,
    notebooks, tests), so a cast would give local wall-clock times to a reader whose session is not in UTC.
    `timezone('UTC', value)` gives the UTC wall-clock time whatever the session's setting.
#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'delivery_warehouse')(column)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(column) -%}
    cast(timezone('UTC', {{ column }}) as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Spark reads an instant (a Parquet timestamp adjusted to UTC) as TIMESTAMP_LTZ; a cast to TIMESTAMP_NTZ
    renders it in the session time zone, which the profile pins to UTC (dbt_project/profiles.yml). -#}
{% macro spark__to_utc_timestamp(column) -%}
    cast({{ column }} as timestamp_ntz)
{%- endmacro %}
