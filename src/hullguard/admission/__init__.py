"""Admission control: AdmissionReview in, a decision out, every decision logged."""
