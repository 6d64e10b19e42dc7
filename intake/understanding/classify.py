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
from intake.understanding.cues import fold, starting_with
from intake.understanding.dates import find_age, find_dob
from intake.understanding.vocabulary import NEED_CUES, NEED_PATTERNS, is_negated

_BOUNCE_SENDER = re.compile(r"(?i)^(?:mailer-daemon|post_?master|mail-daemon|mailerdaemon)@|^<?>?$")
_BOUNCE_NAME = re.compile(r"(?i)mail delivery (?:sub)?system|mailer-daemon|postmaster")
_BOUNCE_SUBJECT = re.compile(
    r"(?i)undeliver|undelivered|delivery (?:status )?notification|delivery (?:has )?failed"
    r"|mail delivery failed|failure notice|returned mail|delivery failure|could not be delivered"
    r"|delayed mail|delivery delayed|warning: message .* delayed|non[- ]?delivery"
    r"|message not delivered"
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
_AUTO_BODY = starting_with(
    r"[abdiortwy]",
    re.compile(
        r"(?i)\b(?:i am|i'm|i will be)\s+(?:currently\s+)?(?:out of (?:the )?office"
        r"|away|on (?:annual |"
        r"maternity |parental |study |sick )?leave"
        r"|not in the office|on holiday|working part[- ]time)"
        r"|\bout of (?:the )?office\b|\bthis (?:mailbox|inbox) is (?:not|no longer) monitored"
        r"|\bwill (?:not|n't) be monitored\b|\bautomated (?:response|reply|message)\b"
        r"|\bautomatic (?:reply|response|acknowledg\w*)\b"
        r"|\bdo not reply to this (?:email|message)\b"
        r"|\bthis is an auto\w*\b|\bwe have received your (?:email|message|enquiry|referral)\b"
        r"|\byour (?:email|message|enquiry) has been received\b|\bticket (?:number|reference|ref|#)"
        r"|\bwill (?:respond|reply|get back to you|be dealt with)\b[^.]{0,60}\b(?:when|on) (?:I|we)"
        r" return\b|\bI will (?:respond|reply) (?:to your (?:email|message) )?(?:on|when|as soon)"
        r"|\breturn(?:ing)? (?:to the office )?on (?:\w+day|\d)|\bback in the office\b"
        r"|\bthis (?:mailbox|inbox) is monitored\b|\bwe aim to (?:respond|reply)\b"
        r"|\boffice is (?:now )?closed\b"
        r"|\bthank you for contacting\b[^.]{0,80}\.\s*(?:the|our|this)"
    ),
)
_BULK_BODY = starting_with(
    r"[dmnouvy]",
    re.compile(
        r"(?i)\bunsubscribe\b|\bmanage (?:your )?(?:preferences|subscription)"
        r"|\bview (?:this email )?in "
        r"(?:your )?browser\b|\byou(?:'re| are) receiving this (?:email|because)|\bopt[ -]out\b"
        r"|\bupdate your (?:email )?preferences\b|\bnewsletter\b|\bmailing list\b|\bdigest\b"
    ),
)
_PHISH = starting_with(
    r"[cdemopsv]",
    re.compile(
        r"(?i)\b(?:verify|confirm|validate) your (?:account|identity|mailbox|email|password)\b"
        r"|\bsecure (?:message|document|file"
        r"|portal)\b[^.]{0,80}\b(?:click|view|open|log ?in|sign ?in)"
        r"|\bclick (?:here|the link|below) to (?:view|access|open|download|listen|review|read)\b"
        r"|\bvoice ?mail\b[^.]{0,60}\b(?:click|listen"
        r"|attached|play)|\bshared (?:a )?(?:file|document) "
        r"with you\b|\bpassword (?:expires|will expire)|\bmailbox (?:is )?(?:full|quota)\b"
        r"|\bsign\s+in\s+with\s+your\b[^.]{0,40}\bpassword"
        r"|\benter\s+your\s+password\b|\bplay\s+message\b"
        r"|\bview\s+secure\s+message\b|\bdocument has been shared\b"
        r"|\b(?:docu-?sign|sharepoint|onedrive)\b[^.]{0,60}\b(?:review|"
        r"view|access)"
    ),
)
_MARKETING = starting_with(
    r"[%bcdefgjlmnoprsw]",
    re.compile(
        r"(?i)\b(?:% off|special offer|limited time|discount code|book (?:your|a) (?:place|demo)|"
        r"free trial|sign up (?:now|today)|buy now|shop now|register now|early[- ]bird|webinar|"
        r"donate (?:now|today)|make a donation|our (?:latest|new) (?:products?|range)|per month|"
        r"special price|we help (?:therapists|practices|clinics)|grow your (?:practice|business)|"
        r"never miss a referral|recruit\w*|job (?:vacanc"
        r"|opportunit)|refer a friend|earn (?:a|up to)"
        r"|sale\b|CPD (?:course|event)|book (?:now|today))"
    ),
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
    if re.match(r"(?i)^\s*(?:complaint about message|abuse report|spam report)", subject):
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
    if (
        (auto and auto != "no")
        or view.has_header("x-autoreply")
        or view.has_header("x-autorespond")
    ):
        if _BOUNCE_SUBJECT.search(subject) and not _AUTO_SUBJECT.match(subject):
            return Kind.bounce
        if auto.startswith("auto-generated") and _is_listy(view):
            return Kind.bulk
        return Kind.auto_reply
    if view.has_header("x-auto-response-suppress") and _AUTO_SUBJECT.match(subject):
        return Kind.auto_reply
    if precedence in ("auto_reply", "auto-reply"):
        return Kind.auto_reply
    spam_flag = view.header("x-spam-flag").strip().lower()
    if spam_flag == "yes" or view.header("x-spam-status").lower().startswith("yes"):
        return Kind.bulk
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
    if _STRONG_REFERRAL.search(new_text) and not _AUTO_SUBJECT.match(subject):
        return None
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


_DEFER = starting_with(
    r"[bcfgilmnoptw]",
    re.compile(
        r"(?i)\b(?:before\s+(?:we|I|they|making|sending|going)\s+(?:\w+\s+){0,3}refer"
        r"|not\s+(?:yet\s+)?(?:ready|in\s+a\s+position)\s+to\s+(?:make\s+a\s+)?refer"
        r"|(?:thinking|considering)\s+(?:of|about|whether\s+to)\s+(?:making\s+a\s+)?refer"
        r"|considering\s+(?:a\s+)?referr|(?:may|might"
        r"|could)\s+(?:\w+\s+){0,3}refer\w*\s+(?:\w+\s+){0,8}"
        r"(?:later|in\s+(?:the\s+)?future|next\s+(?:term"
        r"|year|month)|in\s+due\s+course|at\s+some\s+point)"
        r"|(?:write|be\s+in\s+touch|get\s+back\s+to\s+you|"
        r"come\s+back\s+to\s+you)\s+(?:to\s+you\s+)?(?:separately"
        r"|again)?\s*(?:if|once|when)\s+(?:we|I)\s+"
        r"(?:decide|proceed|go\s+ahead)|not\s+(?:treat"
        r"|take)\s+this\s+(?:email\s+)?as\s+(?:a\s+|an\s+)?"
        r"(?:referral|instruction)"
        r"|won'?t\s+be\s+(?:in\s+a\s+position\s+to\s+)?(?:make|making)\s+a\s+"
        r"referral|(?:if|once|when)\s+(?:the\s+"
        r"|our\s+)?(?:funding|bid|grant|application)\s+(?:is\s+)?"
        r"(?:successful|approved|agreed)|(?:would"
        r"|could)\s+(?:then\s+)?(?:be\s+)?refer\w*\s+(?:\w+\s+){0,3}"
        r"(?:if|once|when)\b|not\s+(?:a\s+)?referral\s+(?:yet|as\s+such)|(?:no|without)\s+(?:a\s+)?"
        r"(?:specific|particular)\s+(?:client|person|child"
        r"|resident)|(?:in\s+the\s+)?(?:future|later|next"
        r"\s+term)\s+(?:we\s+)?(?:may|might|could"
        r"|would)\s+(?:like\s+to\s+)?refer|isn'?t\s+a\s+referral"
        r"|\bonce\s+(?:our|the)\s+(?:budget|funding)\s+(?:is|has\s+been)\s+(?:set|agreed|confirmed)"
        r"|not\s+(?:yet\s+)?(?:making|asking\s+for)\s+a\s+referral"
        r"|(?:before|prior\s+to)\s+(?:any|a)\s+"
        r"referral)"
    ),
)
_ENQUIRY_TOPIC = starting_with(
    r"[cdfgilpqrstvw]",
    re.compile(
        r"(?i)\b(?:student|(?:student|work|clinical|practice)\s+placement|placement\s+(?:student|"
        r"opportunit\w*)|dissertation|research\s+(?:project|study)|interview\s+you"
        r"|questionnaire|invoice|receipt|payment\s+for|locum|supervision|training\s+(?:for|session)"
        r"|give\s+a\s+talk|speak\s+at|community\s+radio|radio\s+(?:show|programme"
        r"|station|interview)|podcast|funding\s+bid|grant\s+application|tender"
        r"|supplier|procurement|vacanc|work\s+experience|CV\b)"
    ),
)
_STRONG_REFERRAL = starting_with(
    r"[\n!'.?\dacdfghilmoprstwy’]",
    re.compile(
        r"(?i)\b(?:d\.?o\.?b\.?\b|date\s+of\s+birth|\d{1,2}[\s-]*(?:year|yr|month|week)s?[\s-]*old"
        r"|aged\s+\d|(?:would|'d|’d)\s+(?:like|love)\s+to\s+refer|(?:I|we)\s+(?:am|are|'m|'re)\s+"
        r"(?:writing\s+to\s+)?refer|please\s+(?:find"
        r"|see)\s+(?:attached|enclosed|below)\s+(?:a\s+|the\s+|"
        r"my\s+|our\s+)?referral|referral\s+(?:for|of"
        r"|form\s+for|regarding)\b|refer\s+(?:him|her|them|"
        r"my|our|this|one\s+of)\b|could\s+you\s+(?:see|visit"
        r"|come\s+(?:and\s+see|to))\s+(?:him|her|my|our|"
        r"them|us|\w+\b)|music\s+(?:therapy|sessions?)\s+for\s+(?:my|our|him|her|mum|dad|me|myself|"
        r"one\s+of|a\s+\w+|[A-Z]\w+)|for\s+myself|self[\s-]referral|refer(?:ring)?\s+myself"
        r"|\bsigned\s+consent\b|\b(?:help|support|something"
        r"|therapy)\s+for\s+(?:my|our)\s+(?:\w+\s+)?"
        r"(?:son|daughter|child|mum|dad|husband|wife|boy|girl|grandson"
        r"|granddaughter)\b|\b(?:group|sessions?)\s+for\s+(?:our|the|these|"
        r"this)\s+(?:\w+\s+)?(?:children|pupils|residents|class|members|patients|young\s+people)\b"
        r"|(?:\b(?:refer|for|about)\s+|(?:^|[.!?\n])\s*)one\s+of\s+(?:our"
        r"|my)\s+(?:[\w-]+\s+){0,3}(?:students|pupils|residents|patients|clients|parishioners|"
        r"members|service\s+users|young\s+people|tenants|learners"
        r"|children)|(?:weekly|a|our)\s+group\s+for\b|go\s+ahead\s+"
        r"with\s+(?:a|the)\s+referral|like\s+(?:to\s+)?(?:find|get)\s+(?:him|her|them|my|our)\b"
        r"|referral\s+to\s+provider|consent(?:ed)?\s+to\s+(?:the"
        r"|this)\s+referral|\bis\s+\d{1,2}\s+and\b"
        r"|\b(?:he|she)\s+(?:is|'s|’s)\s+\d{1,3}\b|\bMT\s+ref\b"
        r"|\bref(?:erral)?\s*[-:]\s*(?:Mr|Mrs|Ms|Miss)"
        r"|(?:my|our|their)\s+(?:son|daughter|mum|dad|mother"
        r"|father|husband|wife|grandson|granddaughter|"
        r"nan|gran|nephew|niece|brother|sister|partner|grandchild|cousin|aunt|auntie|uncle|"
        r"(?:mother|father|son|daughter)-in-law|foster\s+(?:son|daughter|child))\b[^.?]{0,80}"
        r"\b(?:diagnos|has|had|is(?!\s+(?:a|an|the)\b)|was(?!\s+(?:a|an|the)\b)|struggl|loves?)"
        r"|\b(?:(?:could|would|can)\s+you|you\s+(?:could|can"
        r"|would))\s+(?:assess|see|visit|take\s+on|offer\s+"
        r"(?:sessions|therapy|music\s+therapy)\s+to|work\s+with)\s+(?:him|her|them|my|our|"
        r"(?-i:Mr|Mrs|Ms|Miss|Dr|[A-Z][a-z]+))\b"
        r"|\bput\s+(?:forward\s+)?(?:a\s+name|(?:him|her"
        r"|(?-i:[A-Z][a-z]+))\s+(?:forward|down))\s+for\b"
        r"|\badd\s+(?:him|her|(?-i:[A-Z][a-z]+))\s+to\s+(?:your|the)\s+waiting\s+list)"
    ),
)
_PERSON_WORDS = starting_with(
    r"[hst]",
    re.compile(
        r"(?i)\b(?:he|she|him|her|his|they)\b[^.]{0,120}\b(?:diagnos\w*|dementia|autis\w*|"
        r"struggl\w*|loves?|sings?|enjoys?|responds?|anxi\w*|grie\w*|died|stroke|injury)"
    ),
)


_PERSON_NOUN = starting_with(
    r"[aimort]",
    re.compile(
        r"(?i)\b(?:a|an|one|our|my|this)\s+(?:\w+\s+){0,2}(?:girl"
        r"|boy|man|woman|lady|gentleman|pupil|"
        r"resident|person|patient|client|mum|dad|baby|child|son|daughter|teenager|student|chap|"
        r"parishioner|member|tenant|wife|husband|widow|widower|lad|lass|youngster|toddler|infant|"
        r"teen|kid|nephew|niece|brother|sister|partner|gent|fella|service\s+user|young\s+person|"
        r"grandson|granddaughter|grandchild|grandma|grandad|grandmother|grandfather|nan|gran)\b"
        r"|\bresidents\b|\bI\s+(?:am|'m)\s+\d"
        r"|\bi'?m\s+\d{1,2}\b|\b(?:Mr|Mrs|Ms|Miss)\.?\s+[A-Z]"
    ),
)


_DESCRIBED_PERSON = starting_with(
    r"[amot]",
    re.compile(
        r"(?i)\b(?:a|an|one|our|my|this)\s+(?:[\w-]+\s+){0,2}(?:girl"
        r"|boy|man|woman|lady|gentleman|pupil|"
        r"resident|patient|client|baby|child|son|daughter|teenager|lad|lass|youngster|toddler|"
        r"nephew|niece|tenant|young\s+(?:person|man|woman))\b[^.?!]{0,40}?\b(?:who|that)\s+"
        r"(?:is|has|had|was|struggles|finds|can'?t|cannot|does\s*n[o']t|won'?t)\b"
    ),
)


def _mentions_need(text: str) -> bool:
    folded = fold(text)
    for need, patterns in NEED_PATTERNS.items():
        if not NEED_CUES[need].maybe_in(text, folded):
            continue
        for pattern in patterns:
            for match in pattern.finditer(text):
                if not is_negated(text, match.start(), match.end()):
                    return True
    return False


_HOW_TO_REFER = re.compile(
    r"(?i)\bhow\s+(?:do|would|can|should)\s+(?:I|we|you|a\s+\w+|they|one|GPs?|colleagues|people)\s+"
    r"(?:go\s+about\s+)?(?:make\s+a\s+)?refer"
)


def classify_human(text: str, subject: str) -> Kind:
    """referral or enquiry for a message written by a person: does it refer someone now?

    A deferral ("before we refer", "not ready to make a referral") makes an
    enquiry; a person described with a need, an age or a request makes a
    referral; a service question with nobody described stays an enquiry.
    """
    if _DEFER.search(text):
        return Kind.enquiry
    if _HOW_TO_REFER.search(text) and not (find_age(text) or find_dob(text, None)):
        return Kind.enquiry
    if _STRONG_REFERRAL.search(text) or find_dob(text, None):
        return Kind.referral
    if _ENQUIRY_TOPIC.search(text) or _ENQUIRY_TOPIC.search(subject):
        aged = find_age(text) or find_dob(text, None)
        return Kind.referral if aged else Kind.enquiry
    if _STRONG_REFERRAL.search(subject):
        return Kind.referral
    described = _PERSON_NOUN.search(text) or _PERSON_WORDS.search(text) or find_age(text)
    if described and (_mentions_need(text) or _mentions_need(subject)):
        return Kind.referral
    if _DESCRIBED_PERSON.search(text):
        return Kind.referral
    if _ENQUIRY_TOPIC.search(text) or _ENQUIRY_TOPIC.search(subject):
        return Kind.enquiry
    if _PERSON_WORDS.search(text) or re.search(r"(?i)\breferral\b", subject):
        return Kind.referral
    return Kind.enquiry
