{#
    flow_columns_sum_to: the listed columns add up to the tested column, within a tolerance (hours are
    floating point). Rows where the tested column is null are skipped.
#}
{% test flow_columns_sum_to(model, column_name, columns, tolerance=0.001) %}

select *
from {{ model }}
where {{ column_name }} is not null
    and abs({{ column_name }} - ({{ columns | join(' + ') }})) > {{ tolerance }}

{% endtest %}
