"""The compiler: parse -> resolve -> check -> plan, plus diagnostics and requirements."""
