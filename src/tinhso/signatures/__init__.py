"""Digital signatures (chữ ký số): keys on PKCS#11 tokens, PAdES signing and validation, trust list."""
