{#
    azure_devops_work_item_id: the work item id the flow models use for an Azure Boards item. Ids are unique
    within an organization only, and must not collide with Jira's numeric issue ids.
#}
{% macro azure_devops_work_item_id(organization, work_item_id) -%}
    {{ dbt.concat(["'azure_devops:'", organization, "':'", "cast(" ~ work_item_id ~ " as " ~ dbt.type_string() ~ ")"]) }}
{%- endmacro %}

{#
    azure_devops_area_path_within: whether an area path is the mapped area or one of its sub-areas
    (`Billing` holds `Billing\Invoicing`, not `BillingOps`), case-insensitively.
#}
{% macro azure_devops_area_path_within(area_path, mapped_area_path) -%}
    {{ return(adapter.dispatch('azure_devops_area_path_within', 'delivery_warehouse')(area_path, mapped_area_path)) }}
{%- endmacro %}

{% macro default__azure_devops_area_path_within(area_path, mapped_area_path) -%}
    {{ dbt.position(
        dbt.concat(["lower(" ~ mapped_area_path ~ ")", "'\\'"]),
        dbt.concat(["lower(" ~ area_path ~ ")", "'\\'"])
    ) }} = 1
{%- endmacro %}

{#- Spark's SQL lexer reads a backslash in a literal as an escape whatever the session's settings, so '\' is
    no string there: char(92) is the backslash. -#}
{% macro spark__azure_devops_area_path_within(area_path, mapped_area_path) -%}
    {{ dbt.position(
        dbt.concat(["lower(" ~ mapped_area_path ~ ")", "char(92)"]),
        dbt.concat(["lower(" ~ area_path ~ ")", "char(92)"])
    ) }} = 1
{%- endmacro %}
