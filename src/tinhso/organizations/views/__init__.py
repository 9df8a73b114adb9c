"""HTML pages of the organizations app: thin, access-checked, services for every write."""
