"""Operations: configuration, the `archbot` command line and the admin notices."""
