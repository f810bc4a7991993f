"""Rectification (整改): findings opened from a submitted inspection and moved by their machine
(``domain.rectification.states.FINDING``), numbered notices, the institution's answers, extension
requests and replies (陈述申辩) decided by an officer, verification (复查 / 销号), the deadline
sweep and escalation ladder, interview minutes (约谈), credit records, the message box, and the
supervision rule that suspends a displayed grade."""
