{#
    flow_between: the column lies between min_value and max_value inclusive (nulls pass).
#}
{% test flow_between(model, column_name, min_value, max_value) %}

select *
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}

{% endtest %}
