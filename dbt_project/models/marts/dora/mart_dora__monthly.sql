{{ dora_period_mart('month') }}
