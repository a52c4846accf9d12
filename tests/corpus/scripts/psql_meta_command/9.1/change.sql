UPDATE lattice_version SET version = version;
\connect other
