"""The command-line tools behind the Makefile, by purpose: editors/, build/, serve/, measure/."""
