{#
    What the loaders rejected, as BI reads it: every quarantined file or record of every tool, with the file,
    the record, the reason and the load that reported it. The raw excerpt never reaches this mart (see
    stg_ingestion__quarantine).
#}
select
    quarantine_record_id,
    source_tool,
    entity,
    source_file,
    record_index,
    is_whole_file,
    record_key,
    reason,
    file_modified_at,
    _dlt_load_id,
    _loaded_at
from {{ ref('stg_ingestion__quarantine') }}
