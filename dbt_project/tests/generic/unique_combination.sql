{#
    Fails for every combination of `columns` that occurs on more than one row. Nulls count as a value, so
    (CHK, null) twice is a duplicate.
#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
