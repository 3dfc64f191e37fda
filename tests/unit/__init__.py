"""Fast unit tests of the pure core: no servers, no network, no database."""
