{{ config(severity='warn') }}

-- Warns while any value the data shows (repository, project, component, service, team, area, person, status,
-- issue type...) is missing from the mapping seeds. Nothing is dropped meanwhile: see int_mappings__gaps for
-- what to add (`delivery mappings gaps` writes it as rows to fill in); the run names the gaps in the warning.
select * from {{ ref('int_mappings__gaps') }}
