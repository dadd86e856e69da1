"""Session-state keys, in one place."""

LANG = "lang"
USER = "user"
ENTERPRISE_ID = "enterprise_id"
FACTORY_ID = "factory_id"
ASSESSMENT_ID = "assessment_id"
VERSIONS = "versions"  # {assessment id: version loaded by this session}
SUBDOMAIN = "subdomain"
FLASH = "flash"  # (kind, message) shown once on the next run


def defaults() -> dict:
    return {LANG: "zh", USER: "访客", ENTERPRISE_ID: None, FACTORY_ID: None, ASSESSMENT_ID: None,
            VERSIONS: {}, SUBDOMAIN: None, FLASH: None}
