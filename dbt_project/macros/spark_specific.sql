{#
    What Apache Spark (dbt-spark) needs beyond the dispatched expressions of the other macro files.
#}

{#
    spark_type: a type of the project's YAML (contracts, seeds' column_types) as Spark spells it. The YAML is
    written in the types both engines read the same, except `varchar`, which Spark accepts only with a
    length: on Spark it is `string`, the same text type without a length.
#}
{% macro spark_type(data_type) -%}
    {{- 'string' if data_type is string and data_type.strip().lower() == 'varchar' else data_type -}}
{%- endmacro %}

{#- Contracts: dbt checks a model's columns against its YAML by casting null to each declared type. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set spark_columns = {} -%}
    {%- for name in columns -%}
        {%- set spark_column = {} -%}
        {%- do spark_column.update(columns[name]) -%}
        {%- if columns[name].get('data_type') is not none -%}
            {%- do spark_column.update({'data_type': spark_type(columns[name]['data_type'])}) -%}
        {%- endif -%}
        {%- do spark_columns.update({name: spark_column}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(spark_columns)) }}
{% endmacro %}

{#- Seeds: dbt-spark's table of a seed, its column_types spelt for Spark. -#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}

{#
    Staging's incremental models merge on their unique key on DuckDB. Spark's Parquet tables have no merge
    (Delta and Iceberg have): a model with a unique key and no strategy of its own is overwritten whole
    (insert_overwrite) with every record ranked again (macros/newest_version.sql), which gives the same rows.
    This replaces dbt-spark's macro of the same name, whose checks it keeps.
#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- set strategy = raw_strategy -%}
    {%- set table_format = file_format in ['delta', 'iceberg', 'hudi'] -%}
    {%- if raw_strategy == 'append' and config.get('incremental_strategy') is none and config.get('unique_key')
          and not table_format -%}
        {%- set strategy = 'insert_overwrite' -%}
    {%- endif -%}
    {%- if strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch'] -%}
        {%- do exceptions.raise_compiler_error(
            "Invalid incremental strategy provided: " ~ strategy
            ~ "\n    Expected one of: 'append', 'merge', 'insert_overwrite', 'microbatch'") -%}
    {%- elif strategy == 'merge' and not table_format -%}
        {%- do exceptions.raise_compiler_error(
            "Invalid incremental strategy provided: merge\n    You can only choose this strategy when "
            ~ "file_format is set to 'delta' or 'iceberg' or 'hudi'") -%}
    {%- elif strategy in ['insert_overwrite', 'microbatch'] and target.endpoint -%}
        {%- do exceptions.raise_compiler_error(
            "Invalid incremental strategy provided: " ~ strategy ~ "\n    You cannot use this strategy when "
            ~ "connecting via endpoint\n    Use the 'append' or 'merge' strategy instead") -%}
    {%- endif -%}
    {{ return(strategy) }}
{% endmacro %}

{#
    Seeds' rows, written as literals: dbt-spark's session connection pastes bound values in as Python's
    text, so an empty cell became the string 'None' and a quote broke the statement. Here an empty cell is
    null, and text with a quote or a backslash travels hex-encoded (in a select: a VALUES list takes only
    constants).
#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set types = [] -%}
  {%- for col_name in agate_table.column_names -%}
      {%- do types.append(spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)))) -%}
  {%- endfor -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
      {%- set sql -%}
          insert into {{ this.render() }}
          {% for row in chunk -%}
              select {% for value in row -%}
                  cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }}){%- if not loop.last %}, {% endif -%}
              {%- endfor %}
              {% if not loop.last %}union all{% endif %}
          {% endfor %}
      {%- endset -%}
      {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
      {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        {%- set text = (value | string | lower) if value is sameas true or value is sameas false else (value | string) -%}
        {%- if "'" in text or "\\" in text -%}
            decode(unhex('{{ text.encode("utf-8").hex() }}'), 'UTF-8')
        {%- else -%}
            '{{ text }}'
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    Constraints: dbt-spark adds a contract's constraints (not null) to the table after building it when the
    file format is Delta, which it assumes when none is set. Parquet tables take no constraints: only a
    model whose file format is set to delta gets them; the not_null data tests check the rest everywhere.
#}
{% macro spark__persist_constraints(relation, model) %}
  {%- if config.get('contract').enforced and config.get('file_format') == 'delta' -%}
    {%- do alter_table_add_constraints(relation, model.constraints) -%}
    {%- do alter_column_set_constraints(relation, model.columns) -%}
  {%- endif -%}
{% endmacro %}

{#
    dateadd: dbt-spark's version goes through epoch seconds (to_unix_timestamp, to_timestamp), which under
    TIMESTAMP_NTZ gave nulls here, and turns milliseconds into (1/1000000) seconds. Spark's own timestampadd
    adds any unit to a date or timestamp, as DuckDB's date + interval does.
#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart | upper }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}

{#
    listagg: dbt-spark's version joins collect_list, whose order is the rows' arrival order, and drops the
    order by with a warning. Spark 4's own listagg orders its values as DuckDB's string_agg does (the
    forecasts' history keys are lists of weekly counts in ascending order). The project takes no limit.
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {%- do exceptions.raise_compiler_error("listagg with a limit is not written for Spark") -%}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}) {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
