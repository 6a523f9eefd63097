{{ dora_period_mart('week') }}
