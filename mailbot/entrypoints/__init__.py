"""How people and machines start mailbot: the CLI, the daemon, (later) the staff web pages."""
