"""The HIPAA checks Checkov registers: one `ckv_hipaa_<n>_*.py` file per policy id CKV_HIPAA_<n>."""
