"""What kind of email this is: referral, enquiry, auto_reply, bounce or bulk.

Robots are recognised by standards first (RFC 3464 delivery-status reports,
RFC 3834 Auto-Submitted, Precedence, List-Id/List-Unsubscribe, Feedback-ID,
empty Return-Path, MAILER-DAEMON senders, X-Autoreply), then by wording.
A delivery-status structure or bounce subject/sender decides bounce over
auto_reply, because many bounces also say Auto-Submitted: auto-replied.
Between referral and enquiry, doubt goes to referral: it gets a human look.
"""

from __future__ import annotations

import re

from intake.models import Kind
from intake.reading.message import MessageView

_BOUNCE_SENDER = re.compile(r"(?i)^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@|^<?>?$")
_BOUNCE_NAME = re.compile(r"(?i)mail delivery (?:sub)?system|mailer-daemon|postmaster")
_BOUNCE_SUBJECT = re.compile(
    r"(?i)undeliver|undelivered|delivery (?:status )?notification|delivery (?:has )?failed"
    r"|mail delivery failed|failure notice|returned mail|delivery failure|could not be delivered"
    r"|delayed mail|delivery delayed|warning: message .* delayed|non[- ]?delivery|message not delivered"
    r"|address not found|mailbox (?:is )?(?:full|unavailable)|rejected|nondeliverable|\bbounced?\b"
    r"|\bdsn\b|delivery report|message delivery (?:failure|delay)|not delivered"
)
_AUTO_SUBJECT = re.compile(
    r"(?i)^\s*(?:automatic reply|auto(?:matic)?[ -]?(?:reply|response)|auto:|out of (?:the )?office"
    r"|ooo\b|away from (?:the )?office|on (?:annual )?leave|vacation|holiday (?:auto|reply)"
    r"|ateb awtomatig|thank you for (?:your )?(?:email|e-mail|message|contacting)"
    r"|thanks for (?:your )?(?:email|message|contacting)|we have received|your (?:email|message|"
    r"enquiry|request) (?:has been )?received|\[?ticket|re: \[?ticket|acknowledg)"
)
_AUTO_BODY = re.compile(
    r"(?i)\b(?:i am|i'm|i will be)\s+(?:currently\s+)?(?:out of (?:the )?office|away|on (?:annual |"
    r"maternity |parental |study |sick )?leave|not in the office|on holiday|working part[- ]time)"
    r"|\bout of (?:the )?office\b|\bthis (?:mailbox|inbox) is (?:not|no longer) monitored"
    r"|\bwill (?:not|n't) be monitored\b|\bautomated (?:response|reply|message)\b"
    r"|\bautomatic (?:reply|response|acknowledg\w*)\b|\bdo not reply to this (?:email|message)\b"
    r"|\bthis is an auto\w*\b|\bwe have received your (?:email|message|enquiry|referral)\b"
    r"|\byour (?:email|message|enquiry) has been received\b|\bticket (?:number|reference|ref|#)"
    r"|\bwill (?:respond|reply|get back to you|be dealt with)\b[^.]{0,60}\b(?:when|on) (?:I|we)"
    r" return\b|\bI will (?:respond|reply) (?:to your (?:email|message) )?(?:on|when|as soon)"
    r"|\breturn(?:ing)? (?:to the office )?on (?:\w+day|\d)|\bback in the office\b"
    r"|\boffice is (?:now )?closed\b|\bthank you for contacting\b[^.]{0,80}\.\s*(?:the|our|this)"
)
_BULK_BODY = re.compile(
    r"(?i)\bunsubscribe\b|\bmanage (?:your )?(?:preferences|subscription)|\bview (?:this email )?in "
    r"(?:your )?browser\b|\byou(?:'re| are) receiving this (?:email|because)|\bopt[ -]out\b"
    r"|\bupdate your (?:email )?preferences\b|\bnewsletter\b|\bmailing list\b|\bdigest\b"
)
_PHISH = re.compile(
    r"(?i)\b(?:verify|confirm|validate) your (?:account|identity|mailbox|email|password)\b"
    r"|\bsecure (?:message|document|file|portal)\b[^.]{0,80}\b(?:click|view|open|log ?in|sign ?in)"
    r"|\bclick (?:here|the link|below) to (?:view|access|open|download|listen|review|read)\b"
    r"|\bvoice ?mail\b[^.]{0,60}\b(?:click|listen|attached|play)|\bshared (?:a )?(?:file|document) "
    r"with you\b|\bpassword (?:expires|will expire)|\bmailbox (?:is )?(?:full|quota)\b"
    r"|\bdocument has been shared\b|\b(?:docu-?sign|sharepoint|onedrive)\b[^.]{0,60}\b(?:review|"
    r"view|access)"
)
_MARKETING = re.compile(
    r"(?i)\b(?:% off|special offer|limited time|discount code|book (?:your|a) (?:place|demo)|"
    r"free trial|sign up (?:now|today)|buy now|shop now|register now|early[- ]bird|webinar|"
    r"donate (?:now|today)|make a donation|our (?:latest|new) (?:products?|range)|per month|"
    r"special price|we help (?:therapists|practices|clinics)|grow your (?:practice|business)|"
    r"never miss a referral|recruit\w*|job (?:vacanc|opportunit)|refer a friend|earn (?:a|up to)"
    r"|sale\b|CPD (?:course|event)|book (?:now|today))"
)


def _header_robot(view: MessageView) -> Kind | None:
    """A kind decided by headers and MIME structure alone, or None."""
    part_types = set(view.part_types)
    report = view.content_type == "multipart/report" or "message/delivery-status" in part_types
    sender = view.envelope.from_addr or ""
    subject = view.envelope.subject
    return_path = view.header("return-path").strip()
    from_name = view.envelope.from_name or ""
    if report and (
        "message/delivery-status" in part_types
        or "delivery-status" in view.header("content-type").lower()
        or _BOUNCE_SUBJECT.search(subject)
    ):
        return Kind.bounce
    if "message/feedback-report" in part_types or "feedback-report" in view.header("content-type"):
        return Kind.bulk
    if "message/disposition-notification" in part_types:
        return Kind.auto_reply
    if _BOUNCE_SENDER.match(sender) or _BOUNCE_NAME.search(from_name):
        return Kind.bounce
    if (
        return_path in ("<>", "")
        and view.has_header("return-path")
        and _BOUNCE_SUBJECT.search(subject)
    ):
        return Kind.bounce
    if view.has_header("x-failed-recipients"):
        return Kind.bounce
    auto = view.header("auto-submitted").strip().lower()
    precedence = view.header("precedence").strip().lower()
    if (auto and auto != "no") or view.has_header("x-autoreply") or view.has_header("x-autorespond"):
        if _BOUNCE_SUBJECT.search(subject) and not _AUTO_SUBJECT.match(subject):
            return Kind.bounce
        if auto.startswith("auto-generated") and _is_listy(view):
            return Kind.bulk
        return Kind.auto_reply
    if view.has_header("x-auto-response-suppress") and _AUTO_SUBJECT.match(subject):
        return Kind.auto_reply
    if precedence in ("auto_reply", "auto-reply"):
        return Kind.auto_reply
    if _is_listy(view) or precedence in ("bulk", "junk", "list"):
        return Kind.bulk
    return None


def _is_listy(view: MessageView) -> bool:
    return any(
        view.has_header(h)
        for h in (
            "list-id",
            "list-unsubscribe",
            "feedback-id",
            "x-campaign",
            "x-mailchimp-id",
            "list-post",
            "x-campaign-id",
            "x-mc-user",
            "x-sg-eid",
        )
    )


def classify_robot(view: MessageView, new_text: str) -> Kind | None:
    """bounce, auto_reply or bulk when the message is from a machine or a mass mailing."""
    by_header = _header_robot(view)
    if by_header is not None:
        return by_header
    subject = view.envelope.subject
    sender = view.envelope.from_addr or ""
    if _BOUNCE_SUBJECT.search(subject) and re.search(
        r"(?i)\b(?:could not be delivered|permanent(?:ly)? (?:error|fail)|delivery to the following"
        r"|recipient(?:s)? (?:address )?(?:rejected|unknown|not found)|550|5\.\d\.\d|4\.\d\.\d"
        r"|delivery has failed|this is the mail system|failure notice|undeliverable)",
        new_text,
    ):
        return Kind.bounce
    if _AUTO_SUBJECT.match(subject) and _AUTO_BODY.search(new_text):
        return Kind.auto_reply
    if _AUTO_SUBJECT.match(subject) and re.match(
        r"(?i)^\s*(?:automatic reply|auto|out of)", subject
    ):
        return Kind.auto_reply
    if re.match(r"(?i)^(?:no-?reply|do-?not-?reply|noreply)", sender) and _AUTO_BODY.search(
        new_text
    ):
        return Kind.auto_reply
    if _AUTO_BODY.search(new_text[:600]) and len(new_text) < 2500 and not _referral_words(new_text):
        return Kind.auto_reply
    if _PHISH.search(new_text):
        return Kind.bulk
    if _BULK_BODY.search(new_text) and (_MARKETING.search(new_text) or _no_personal(new_text)):
        return Kind.bulk
    if _MARKETING.search(new_text) and _no_personal(new_text) and not _referral_words(new_text):
        return Kind.bulk
    return None


def _no_personal(text: str) -> bool:
    return not re.search(r"(?i)^\s*(?:dear|hi|hello)\s+jacqueline\b", text)


def _referral_words(text: str) -> bool:
    return bool(re.search(r"(?i)\b(?:refer(?:ral|ring)?|would like music therapy)\b", text))


_DEFER = re.compile(
    r"(?i)\b(?:before\s+(?:we|I)\s+(?:make\s+a\s+|send\s+(?:a|the)\s+|go\s+ahead\s+(?:with\s+)?a\s+)?"
    r"refer|not\s+(?:yet\s+)?(?:ready|in\s+a\s+position)\s+to\s+(?:make\s+a\s+)?refer"
    r"|(?:thinking|considering)\s+(?:of|about|whether\s+to)\s+(?:making\s+a\s+)?refer"
    r"|considering\s+(?:a\s+)?referr|(?:may|might|could)\s+(?:want\s+to\s+|wish\s+to\s+|like\s+to\s+"
    r"|be\s+able\s+to\s+)?(?:make\s+a\s+|send\s+(?:you\s+)?(?:a|some)\s+)?refer\w*\s+(?:\w+\s+){0,4}"
    r"(?:later|in\s+(?:the\s+)?future|next\s+(?:term|year|month)|in\s+due\s+course|at\s+some\s+point)"
    r"|how\s+(?:do|would|can|should)\s+(?:I|we|a\s+\w+|they|one|GPs?|colleagues)\s+(?:go\s+about\s+)?"
    r"(?:make\s+a\s+)?refer|(?:would|will)\s+(?:write|be\s+in\s+touch|get\s+back\s+to\s+you)\s+"
    r"(?:to\s+you\s+)?(?:separately|again)?\s*(?:if|once|when)\s+(?:we|I)\s+(?:decide|proceed|go\s+"
    r"ahead)|not\s+(?:treat|take)\s+this\s+(?:email\s+)?as\s+(?:a\s+|an\s+)?(?:referral|instruction)"
    r"|won'?t\s+be\s+(?:in\s+a\s+position\s+to\s+)?(?:make|making)\s+a\s+referral"
    r"|(?:if|once|when)\s+(?:the\s+)?(?:funding|bid|grant)\s+(?:is\s+)?(?:successful|approved|agreed)"
    r"|(?:would|could)\s+(?:then\s+)?(?:be\s+)?refer\w*\s+(?:\w+\s+){0,3}(?:if|once|when)\b"
    r"|not\s+(?:a\s+)?referral\s+(?:yet|as\s+such)|(?:no|without)\s+(?:a\s+)?(?:specific|particular)"
    r"\s+(?:client|person|child|resident)|(?:in\s+the\s+)?(?:future|later|next\s+term)\s+"
    r"(?:we\s+)?(?:may|might|could|would)\s+(?:like\s+to\s+)?refer)"
)
_ENQUIRY_TOPIC = re.compile(
    r"(?i)\b(?:student|placement|dissertation|research\s+(?:project|study)|interview\s+you"
    r"|questionnaire|invoice|receipt|payment\s+for|locum|supervision|cover\s+(?:for|while)"
    r"|training\s+(?:for|session)|talk\s+(?:to|at|for)|give\s+a\s+talk|speak\s+at|radio"
    r"|podcast|funding\s+bid|grant\s+application|tender|framework|panel|supplier|procurement"
    r"|job|vacanc|volunteer(?:ing)?\s+(?:opportunit|with\s+you)|work\s+experience)"
)
_PERSON_SIGNS = re.compile(
    r"(?i)\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born\s+(?:on|in)|\d{1,2}[\s-]*(?:year|yr|month|week)s?"
    r"[\s-]*old|aged\s+\d|my\s+(?:son|daughter|child|mum|mother|dad|father|husband|wife|partner|"
    r"grandson|granddaughter|nan|gran|grandma|grandad|grandfather|grandmother|brother|sister|baby|"
    r"client|patient|pupil|resident)|our\s+(?:son|daughter|child|baby|residents?|pupils?|class)"
    r"|(?:would|'d)\s+like\s+to\s+refer|(?:I|we)\s+(?:am|are|'m|'re)\s+(?:writing\s+to\s+)?refer"
    r"|please\s+(?:find|see)\s+(?:attached|enclosed|below)\s+(?:a\s+|the\s+|my\s+|our\s+)?referral"
    r"|referral\s+(?:for|of|form\s+for|regarding|re)\b|refer\s+(?:him|her|them|my|our|a|this)\b"
    r"|could\s+you\s+see\s+(?:him|her|my|our)|music\s+therapy\s+for\s+(?:my|our|him|her|a\s+"
    r"\w+|\w+\s+(?:who|with))|(?:for|about)\s+myself|self[\s-]referral|refer(?:ring)?\s+myself"
    r"|he\s+(?:is|has|was)|she\s+(?:is|has|was))"
)


def classify_human(text: str, subject: str) -> Kind:
    """referral or enquiry for a message written by a person: does it refer someone now?"""
    if _DEFER.search(text):
        return Kind.enquiry
    signs = len(_PERSON_SIGNS.findall(text)) + len(_PERSON_SIGNS.findall(subject))
    if signs >= 2:
        return Kind.referral
    if _ENQUIRY_TOPIC.search(text) or _ENQUIRY_TOPIC.search(subject):
        return Kind.enquiry
    if signs >= 1 or re.search(r"(?i)\breferral\b", subject):
        return Kind.referral
    return Kind.enquiry
