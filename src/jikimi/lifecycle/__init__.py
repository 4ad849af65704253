"""The lifecycle (파기·분리보관·휴면): what happens to personal data when its purpose ends and
when its time runs out. ``rules`` decides (pure), ``separation`` ends purposes and reads separated
data, ``sweep`` acts on everything due in batches, ``ledger`` records every destruction."""
