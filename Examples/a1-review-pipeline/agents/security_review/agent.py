# Compatibility stub: the Python reference (awp-agents) requires this file (rule R11). awp-swift does not use it.
