"""The person's rights: access to every inquiry of one keyed email or phone, and erasure on request."""
