{{ config(severity='warn') }}

-- Warns while any repository, Jira project, PagerDuty service, status or issue type is missing from the
-- mapping seeds. Nothing is dropped meanwhile: see int_mapping_gaps for what to add.
select * from {{ ref('int_mapping_gaps') }}
