"""Writes of payroll data. `config` holds the set-up (components, structures, assignments,
inputs, policies, declarations, adjustments); `runs` holds pay runs."""
