"""De-identify encounters per the HIPAA Safe Harbor rule (45 CFR 164.514(b)(2)) and aggregate them."""
