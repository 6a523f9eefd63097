{#
    The mapping gaps as BI reads them: each value no mapping seed covers, the mapping file it belongs in and
    the records it affects (which count under `unmapped` or a fallback meanwhile). int_mappings__gaps holds
    the logic; this mart keeps what a reader needs, under a contract.
#}
select
    cast(mapping_gap_id as {{ dbt.type_string() }}) as mapping_gap_id,
    cast(mapping_kind as {{ dbt.type_string() }}) as mapping_kind,
    cast(unmapped_value as {{ dbt.type_string() }}) as unmapped_value,
    cast(unmapped_value_detail as {{ dbt.type_string() }}) as unmapped_value_detail,
    cast(fallback_used as {{ dbt.type_string() }}) as fallback_used,
    cast(records_affected as {{ dbt.type_bigint() }}) as records_affected,
    cast(example_record_model as {{ dbt.type_string() }}) as example_record_model,
    cast(example_record_id as {{ dbt.type_string() }}) as example_record_id,
    cast(mapping_file as {{ dbt.type_string() }}) as mapping_file,
    cast(source_tool as {{ dbt.type_string() }}) as source_tool,
    cast(display_name as {{ dbt.type_string() }}) as display_name
from {{ ref('int_mappings__gaps') }}
