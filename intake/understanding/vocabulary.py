"""How people actually write about needs, places and jobs, mapped to the corpus vocabulary.

Each need is a list of patterns over everyday clinical and family wording
(e.g. "Alzheimer's", "memory problems", "ASC", "profound and multiple",
"end of life", "lost her husband"); a mention preceded by a negation
("no learning disability", "not dementia") does not count.
"""

from __future__ import annotations

import re

from intake.models import Need, Role
from intake.understanding.cues import Cues, cues, starting_with

_I = re.IGNORECASE


def _p(pattern: str, flags: int = _I, *, first: str) -> re.Pattern[str]:
    """pattern, tried only where a match can start (`first`, see cues.starting_with)."""
    return starting_with(first, re.compile(pattern, flags))


NEED_PATTERNS: dict[Need, list[re.Pattern[str]]] = {
    Need.dementia: [
        _p(
            r"\bdementia\b|\balzheimer|\blewy[\s-]body|\bfronto[\s-]?temporal\b|\bvascular\s+dement",
            first=r"[adflv]",
        ),
        _p(r"\bFTD\b", 0, first=r"[F]"),
        _p(
            r"\bcognitive\s+(?:decline|impairment)\b|\bdonepezil\b|\bmemantine\b|\brivastigmine\b",
            first=r"[cdmr]",
        ),
        _p(r"\bgalantamine\b|\bAricept\b|\bkorsakoff|\bwernicke", first=r"[agkw]"),
    ],
    Need.pmld: [
        _p(r"\bPMLD\b", 0, first=r"[P]"),
        _p(
            r"\bprofound\s+(?:and|&)\s+multiple\b|\bprofound\s+learning\s+(?:disab|difficult)",
            first=r"[p]",
        ),
    ],
    Need.autism: [
        _p(r"\bautis(?:m|tic)\b|\basperger|\bautism\s+spectrum\b", first=r"[a]"),
        _p(r"\b(?:ASD|ASC)\b", 0, first=r"[A]"),
        _p(r"\bon\s+the\s+(?:autis(?:m|tic)\s+)?spectrum\b", first=r"[o]"),
    ],
    Need.mental_health: [
        _p(
            r"\banxiety\b|\bpost[\s-]traumatic\b|\bdepress(?:ion|ive|ed)\b|\blow\s+(?:in\s+)?mood\b|\bPTSD\b|\bpsychos[ie]s\b",
            first=r"[adlp]",
        ),
        _p(
            r"\bpsychotic\b|\bschizo\w*|\bbipolar\b|\beating\s+disorder|\banorexi\w*|\bbulimi\w*",
            first=r"[abeps]",
        ),
        _p(
            r"\bself[\s-]esteem\b|\bself[\s-]harm\w*|\bOCD\b|\bobsessive[\s-]compulsive\b",
            first=r"[os]",
        ),
        _p(
            r"\bmental\s+(?:health|ill)\w*|\bsuicidal\w*|\bsuicide\s+attempt|\battempted\s+suicide|\bpanic\s+attacks?\b|\bselective(?:ly)?\s+mut(?:ism|e)\b",
            first=r"[amps]",
        ),
        _p(
            r"\bpersonality\s+disorder\b|\bpost[\s-]?natal\s+depression\b|\bagoraphobi\w*",
            first=r"[ap]",
        ),
        _p(
            r"\bclozapine\b|\bcitalopram\b|\bsertraline\b|\bfluoxetine\b|\bolanzapine\b",
            first=r"[cfos]",
        ),
        _p(
            r"\brisperidone\b|\bmirtazapine\b|\bquetiapine\b|\baripiprazole\b|\blithium\b",
            first=r"[almqr]",
        ),
        _p(
            r"(?<!birth\s)\btrauma(?:tised|tized)?\b|\btraumatic\b(?!\s+(?:brain|head|spinal|birth|delivery)\b)|\bC-?PTSD\b|\battachment\s+(?:disorder|difficult\w*)",
            first=r"[act]",
        ),
        _p(
            r"\bemotionally\s+based\s+school\s+avoidance\b|\bEBSA\b|\bwithdrawn\s+and\s+low\b",
            first=r"[ew]",
        ),
    ],
    Need.palliative: [
        _p(
            r"\bpalliative\b|\bend[\s-]of[\s-]life\b|\bterminal(?:ly)?\b|\blife[\s-]limiting\b",
            first=r"[elpt]",
        ),
        _p(
            r"\blife[\s-]shortening\b|\bsyringe\s+driver\b|\b(?:weeks|months|days)\s+to\s+live\b",
            first=r"[dlmsw]",
        ),
        _p(
            r"\blast\s+(?:few\s+)?(?:weeks|months|days)\s+of\s+(?:(?:his|her|their)\s+)?life\b|\bdying\b",
            first=r"[dl]",
        ),
        _p(
            r"\bhospice\s+(?:care|patient|at\s+home)\b|\bfast[\s-]track\s+(?:CHC|funding)\b",
            first=r"[fh]",
        ),
        _p(
            r"\bnot\s+expected\s+to\s+(?:live|survive)\b|\blife\s+expectancy\b|\bend[\s-]stage\b",
            first=r"[eln]",
        ),
        _p(
            r"\bprognosis\b[^.]{0,30}\b(?:days|weeks|short)\b|\bprob(?:ably)?\.?\s+days\b",
            first=r"[p]",
        ),
    ],
    Need.adoption: [
        _p(
            r"\badopt(?:ed|ion|ive)\b|\bpost[\s-]adoption\b|\bAdoption\s+Support\s+Fund\b",
            first=r"[ap]",
        ),
    ],
    Need.neurodisability: [
        _p(
            r"\bbrain\s+injur\w*|\bstroke\b|\bcerebral\s+palsy\b|\bparkinson|\bmultiple\s+sclerosis\b",
            first=r"[bcmps]",
        ),
        _p(r"\b(?:ABI|TBI|MND|SMA|CVA|FASD|MS|CP)\b", 0, first=r"[ACFMST]"),
        _p(
            r"\bhuntington|\bmotor\s+neur?one\s+disease\b|\bepilep\w*|\bspinal\s+(?:cord\s+)?injur",
            first=r"[ehms]",
        ),
        _p(
            r"\bhypoxic\b|\bencephal\w*|\bspinal\s+muscular\s+atrophy\b|\btourette|\bmuscular\s+dys",
            first=r"[ehmst]",
        ),
        _p(
            r"\baphasi\w*|\bbleed\s+on\s+(?:the|his|her)\s+brain\b|\bhaemorrhag\w*|\bneurological\b",
            first=r"[abhn]",
        ),
        _p(
            r"\bhydrocephal\w*|\bfoetal\s+alcohol|\bfetal\s+alcohol|\bmadopar\b|\blevodopa\b",
            first=r"[fhlm]",
        ),
        _p(
            r"\bco-careldopa\b|\bsinemet\b|\brett\s+syndrome\b|\bduchenne\b|\bataxia\b",
            first=r"[acdrs]",
        ),
        _p(
            r"\bspina\s+bifida\b|\bfunctional\s+neurological\b|\bFND\b|\bbrain\s+damage\b",
            first=r"[bfs]",
        ),
        _p(
            r"\bhemiplegi\w*|\bquadriplegi\w*|\btetraplegi\w*|\bbrain\s+tumou?r\b|\bdystoni\w*",
            first=r"[bdhqt]",
        ),
    ],
    Need.learning_disability: [
        _p(
            r"\blearning\s+(?:disabilit\w*|difficult\w*|disabled)\b|\bintellectual\s+disabilit\w*",
            first=r"[il]",
        ),
        _p(
            r"\bdown'?s?\s+syndrome\b|\bdown’s\s+syndrome\b|\bglobal\s+developmental\s+delay\b",
            first=r"[dg]",
        ),
        _p(r"\b(?:MLD|SLD|GDD)\b", 0, first=r"[GMS]"),
        _p(r"\bLD\b", 0, first=r"[L]"),
        _p(
            r"\bfragile\s+x\b|\bangelman\b|\bwilliams\s+syndrome\b|\bprader[\s-]willi\b",
            first=r"[afpw]",
        ),
    ],
    Need.neonatal: [
        _p(
            r"\bNICU\b|\bSCBU\b|\bneonatal\b|\bspecial\s+care\s+baby\b|\bspecial\s+care\s+unit\b",
            first=r"[ns]",
        ),
        _p(
            r"\bpremature(?:ly)?\b|\bpre[\s-]?term\b|\bborn\s+at\s+\d{2}\s*(?:\+\d\s*)?weeks\b",
            first=r"[bp]",
        ),
        _p(
            r"\bincubator\b|\bcot[\s-]?side\b|\bpre[e]?mie\b|\bpremmie\b|\bprem\s+bab(?:y|ies)\b",
            first=r"[cip]",
        ),
        _p(r"\bin\s+special\s+care\b|\b\d{2}[\s-]?weeker\b", first=r"[\di]"),
    ],
    Need.bereavement: [
        _p(
            r"\bbereave\w*|\bgrie(?:f|ving|ve)\b|\bwid(?:ow|ower|owed)\b|\bstillb(?:irth|orn)\b",
            first=r"[bgsw]",
        ),
        _p(r"\b(?:died|passed\s+away|death\s+of|funeral)\b", first=r"[dfp]"),
        _p(
            r"\bloss\s+of\s+(?:his|her|their|a|the|my|our)\s+(?:\w+\s+)?(?:mum|mother|dad|father|"
            r"husband|wife|partner|son|daughter|brother|sister|baby|child|grandma|grandad|"
            r"grandmother|grandfather|nan|parent|twin|friend|sibling)\b",
            first=r"[l]",
        ),
        _p(
            r"\blost\s+(?:his|her|their|my|our)\s+(?:\w+\s+)?(?:mum|mother|dad|father|husband|wife|"
            r"partner|son|daughter|brother|sister|baby|child|grandma|grandad|grandmother|grandfather|"
            r"nan|parent|twin|friend)\b",
            first=r"[l]",
        ),
        _p(
            r"\b(?:mum|mother|dad|father|husband|wife|partner|son|daughter|brother|sister|baby|"
            r"grandma|grandad|grandmother|grandfather|nan|gran|twin|parent)\s+(?:who\s+|had\s+|has\s+)?"
            r"passed\b(?!\s+(?:his|her|their|the|an?|all|it)\b)",
            first=r"[bdfghmnpstw]",
        ),
        _p(r"\bbaby\s+loss\b|\bmiscarriage\b|\bsince\s+(?:his|her)\s+\w+\s+died\b", first=r"[bms]"),
    ],
}

# Every match of a need's patterns contains one of its cue words (see cues.py),
# so text without any of them is not scanned for that need.
NEED_CUES: dict[Need, Cues] = {
    Need.dementia: cues(
        "dement alzheimer lewy fronto FTD cognitive donepezil memantine rivastigmine "
        "galantamine aricept korsakoff wernicke"
    ),
    Need.pmld: cues("PMLD profound"),
    Need.autism: cues("autis asperger ASD ASC spectrum"),
    Need.mental_health: cues(
        "anxiety trauma depress mood ptsd psycho schizo bipolar eating anorexi bulimi esteem "
        "harm ocd obsessive mental suicid panic selective personality agoraphobi clozapine "
        "citalopram sertraline fluoxetine olanzapine risperidone mirtazapine quetiapine "
        "aripiprazole lithium attachment emotionally ebsa withdrawn"
    ),
    Need.palliative: cues(
        "palliative life terminal syringe live last dying hospice track expected stage "
        "prognosis prob"
    ),
    Need.adoption: cues("adopt"),
    Need.neurodisability: cues(
        "brain stroke cerebral parkinson sclerosis ABI TBI MND SMA CVA FASD MS CP huntington "
        "motor epilep spinal hypoxic encephal tourette muscular aphasi bleed haemorrhag "
        "neurological hydrocephal alcohol madopar levodopa careldopa sinemet rett duchenne "
        "ataxia bifida fnd plegi dystoni"
    ),
    Need.learning_disability: cues(
        "learning intellectual syndrome global MLD SLD GDD LD fragile angelman prader"
    ),
    Need.neonatal: cues("nicu scbu neonatal special prem term born incubator cot mie weeker"),
    Need.bereavement: cues(
        "bereave grie widow stillb died passed death funeral loss lost miscarriage"
    ),
}

WEAK_DEMENTIA = _p(
    r"\bmemory\s+(?:problems?|loss|difficult\w*|impairment|decline|clinic|issues|is\s+going)\b"
    r"|\bmemory'?s\s+going\b",
    first=r"[m]",
)

NEGATION_BEFORE = re.compile(
    r"(?i)\b(?:no|not|nor|without|never|isn'?t|doesn'?t|don'?t|hasn'?t|haven'?t|hadn'?t|"
    r"wasn'?t|aren'?t|non|rather\s+than|instead\s+of|free\s+of|ruled\s+out|no\s+longer|"
    r"neither|unlike|changed\s+(?:my|our)\s+minds?)\b"
)
NEGATION_AFTER = re.compile(
    r"(?i)^\W{0,3}(?:(?:has|have)\s+been\s+|was\s+|were\s+|is\s+)?(?:ruled\s+out|excluded"
    r"|not\s+(?:a\s+)?(?:factor|an\s+issue|relevant|present|suspected|suitable|possible|an\s+option)"
    r"|(?:would|will|do|does|did|is|are|could)\s*(?:n'?t|n’t|\s+not)\s+(?:really\s+)?(?:work|suit|"
    r"cope|manage|be\s+(?:suitable|possible|appropriate|an\s+option|right))"
    r"|(?:is|are)\s*n['’]t\s+(?:suitable|possible|appropriate|an\s+option))"
)
_CLAUSE_BREAK = re.compile(r"[.;:!?\n(]|\bbut\b|\bhowever\b|\balthough\b|\band\b|,")
# The last clause break in one match: the greedy .* gives way from the end, so
# the first break found is the last one (breaks never overlap: single marks and
# whole words), without a match object for every earlier break.
_LAST_CLAUSE_BREAK = re.compile(f"(?s:.*)(?:{_CLAUSE_BREAK.pattern})")


def is_negated(text: str, start: int, end: int, *, window_words: int = 4) -> bool:
    """True when the mention at text[start:end] is denied ("no ...", "not ...", "... ruled out")."""
    before = text[max(0, start - 80) : start]
    last_break = _LAST_CLAUSE_BREAK.match(before)
    if last_break:
        before = before[last_break.end() :]
    words = before.split()[-window_words:]
    if NEGATION_BEFORE.search(" ".join(words)):
        return True
    return bool(NEGATION_AFTER.match(text[end : end + 40]))


ROLE_TITLES: list[tuple[Role, re.Pattern[str]]] = [
    (
        Role.gp,
        _p(
            r"\bGP\b(?!\s+(?:practice|surgery)\b)|\bgeneral\s+practitioner\b|\bGPST\d?\b",
            0,
            first=r"[Gg]",
        ),
    ),
    (
        Role.gp,
        _p(
            r"\bgeneral\s+practitioner\b|\bsalaried\s+GP\b|\bGP\s+(?:partner|registrar|trainee)",
            first=r"[gs]",
        ),
    ),
    (
        Role.teacher,
        _p(
            r"\bteacher\b|\bSENC?o\b|\bSENDCo\b|\bALNCo\b|\bteaching\s+assistant\b|\bhead\s*teacher\b"
            r"|\bdeputy\s+head\b|\bassistant\s+head\b|\bhead\s+of\s+(?:year|music|school|department|"
            r"inclusion|sixth)|\bpastoral\s+(?:lead|manager|support|care)\b|\bprincipal\b|\bHLTA\b"
            r"|\blearning\s+support\s+assistant\b|\binclusion\s+(?:lead|manager|coordinator)\b"
            r"|\bSEN\s+(?:lead|coordinator)\b|\bSENDCO\b|\bnursery\s+(?:manager|practitioner)\b"
            r"|\bform\s+tutor\b|\bclass\s+teacher\b|\bhead\s+of\s+\w+\s+school\b|\bTA\b"
            r"|\blearning\s+mentor\b|\b(?:SEMH|behaviour|attendance|safeguarding)\s+lead\b",
            first=r"[abcdfhilnpst]",
        ),
    ),
    (
        Role.social_worker,
        _p(
            r"\bsocial\s+worker\b|\badoption\s+(?:support\s+)?(?:worker|officer|practitioner|social)"
            r"|\bpost[\s-]adoption\s+support\b|\bfamily\s+support\s+(?:worker|practitioner|social)"
            r"|\bsocial\s+work\s+(?:practitioner|assistant)\b|\bchildren'?s\s+social\s+care\b"
            r"|\bcare\s+manager\b|\bfamily\s+support\b|\bearly\s+help\s+(?:worker|practitioner|"
            r"officer|lead|coordinator|co-ordinator)\b|\bchildren'?s\s+services\b"
            r"|\bfamily\s+(?:practitioner|worker|key\s*worker)\b",
            first=r"[acefps]",
        ),
    ),
    (
        Role.health_professional,
        _p(
            r"\bnurse\b|\bCNS\b|\bsister\b|\bcharge\s+nurse\b|\bmatron\b|\bpsycholog|\bpsychiatri"
            r"|\boccupational\s+therap|\bOT\b|\bspeech\s+(?:and|&)\s+language|\bSLT\b|\bSALT\b"
            r"|\bphysio|\bconsultant\b|\bpaediatrician\b|\bmidwife\b|\bneonatal\b|\bhealth\s+visitor"
            r"|\bANP\b|\badvanced\s+(?:nurse|clinical)\s+practitioner\b|\bregistrar\b|\bdoctor\b"
            r"|\bdietitian\b|\bCPN\b|\bRMN\b|\bRGN\b|\bRNLD\b|\bRN\b|\bneuropsycholog|\bcounsellor\b"
            r"|\bclinical\s+lead\b|\bclinician\b|\bpractitioner\s+psycholog|\btherapist\b"
            r"|\bmental\s+health\s+practitioner\b|\bhealthcare\s+assistant\b|\bward\s+manager\b"
            r"|\bneurologist\b|\bgeriatrician\b|\bST\d\b|\bFY\d\b|\bSpR\b|\bcare\s+coordinator\b"
            r"|\bpsychotherap\w*|\bplay\s+specialist\b|\b(?:art|drama|dance\s+movement)\s+therap\w*",
            first=r"[acdfghmnoprstw]",
        ),
    ),
    (
        Role.care_home_staff,
        _p(
            r"\bactivit(?:y|ies)\s+(?:co-?ordinator|lead|organiser|manager|co-ordinator)\b"
            r"|\bwellbeing\s+(?:co-?ordinator|lead)\b|\bregistered\s+manager\b|\bcare\s+home\s+manager"
            r"|\bhome\s+manager\b|\bdeputy\s+(?:home\s+)?manager\b|\bunit\s+manager\b"
            r"|\blifestyle\s+(?:co-?ordinator|lead)\b|\bhome\s+administrator\b",
            first=r"[acdhlruw]",
        ),
    ),
    (
        Role.carer,
        _p(
            r"\bsupport\s+worker\b|\bpersonal\s+assistant\b|\bcarer\b|\bcare\s+worker\b"
            r"|\bcare\s+assistant\b|\bkey\s*worker\b|\breablement\s+worker\b",
            first=r"[ckprs]",
        ),
    ),
    (
        Role.other,
        _p(
            r"\bcase\s+manager\b|\bchaplain\b|\bvicar\b|\bminister\b|\bpriest\b|\brector\b"
            r"|\bsocial\s+prescrib|\bvirtual\s+school\b|\bcoordinator\b|\bco-ordinator\b"
            r"|\bdirector\b|\bmanager\b|\bofficer\b|\bvolunteer\b|\bsolicitor\b|\bdeputy\b"
            r"|\bcommunity\s+connector\b|\blink\s+worker\b|\bdevelopment\s+worker\b|\badvisor\b"
            r"|\badviser\b|\bcurate\b|\bpastor\b|\bRevd?\b|\bteam\s+leader\b|\breceptionist\b"
            r"|\btransition\s+worker\b",
            first=r"[acdlmoprstv]",
        ),
    ),
]
