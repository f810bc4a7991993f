"""Care-medical agreements (医养签约), doctors' rounds and long-term-care-insurance designation
(长护险定点): docs/medical-care.md."""
