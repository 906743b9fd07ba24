"""Monthly staff assessment (员工考核, SPEC M14): the deduction catalogue as versioned data, one sheet per
employee per month with entries, disciplinary referrals, the manager's spot checks, submit → sign-off →
frozen, and entries suggested by events elsewhere in Linli (durable jobs, see README.md).
"""
