#!/usr/bin/env python3
"""Generates realistic synthetic `.journey` files for benchmarks.

The journey is the HR SaaS lead-generation example of the design notes, scaled up: a
`journey` block, teams, the three lead-generation intents, online and offline channels,
personas, stages that follow the common lifecycle (cycled when there are more than
eight), touchpoints spread across the stages with flows, tracked events, pain points with
opportunities, and KPIs. Labels mix English and Polish, and some carry quotes,
backslashes, `#` and emoji, so the lexer's string paths are exercised.

The output depends only on the arguments: every random choice comes from one
``random.Random(seed)``, and nothing reads the clock or iterates over a set.

    python benchmarks/generate.py --touchpoints 1000 --seed 7 > big.journey

or, from Python::

    from benchmarks.generate import generate   # or: import generate, with benchmarks/ on sys.path
    text = generate(1000, seed=7)
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field

# Data tables, laid out by hand for reading.
# fmt: off
PHASES = ("awareness", "interest", "consideration", "decision", "purchase", "adoption", "advocacy", "loyalty")

#: Polish stage labels, one per phase, and a one-line description of each.
STAGE_LABELS = {
    "awareness": ("Świadomość", "The prospect meets the brand for the first time; the goal is to name the problem, not to sell."),
    "interest": ("Zainteresowanie", "The prospect knows the need and looks for options: reports, webinars, newsletters."),
    "consideration": ("Rozważanie", "Vendors are compared on price, reviews and fit; the \"Excel vs. software\" question."),
    "decision": ("Decyzja", "Demo, proposal and security review: the sales team leads."),
    "purchase": ("Zakup", "Contract, payment and the order confirmation letter."),
    "adoption": ("Wdrożenie", "Data import, the first payroll run and the employee app."),
    "advocacy": ("Rekomendacja", "Happy customers review, refer and speak for us."),
    "loyalty": ("Lojalność", "Renewals, upsell of further modules and the user community."),
}

#: Relative share of touchpoints per phase (more at the top of the funnel).
PHASE_WEIGHT = {
    "awareness": 1.5, "interest": 1.2, "consideration": 1.4, "decision": 1.0,
    "purchase": 0.7, "adoption": 1.1, "advocacy": 0.6, "loyalty": 0.7,
}

#: The team that usually owns a phase, then the others that may.
PHASE_OWNERS = {
    "awareness": ("marketing", "content"),
    "interest": ("marketing", "content"),
    "consideration": ("marketing", "sales"),
    "decision": ("sales", "partnerships"),
    "purchase": ("sales", "finance"),
    "adoption": ("customer_success", "support"),
    "advocacy": ("customer_success", "marketing"),
    "loyalty": ("customer_success", "product"),
}

TEAMS = (
    ("marketing", "Marketing", "Campaigns, paid media and the website."),
    ("content", "Content & SEO", "Blog, reports, webinars and organic search."),
    ("sales", "Sprzedaż", "SDRs and account executives; owns demos and proposals."),
    ("partnerships", "Partnerships", "Accounting offices that resell KadryPro."),
    ("finance", "Finanse i księgowość", "Invoices, payments and contract paperwork."),
    ("customer_success", "Customer Success", "Onboarding, renewals and the referral programme."),
    ("support", "Wsparcie techniczne", "Helpline and chat, Monday to Friday 8:00–18:00."),
    ("product", "Product", "The web app, the mobile app and the roadmap."),
)

INTENTS = (
    ("educational", "Wants to understand the problem", "Informational: learns how to hire and pay faster."),
    ("commercial", "Compares vendors", "Commercial investigation: prices, reviews, case studies."),
    ("purchase", "Ready to buy", "Transactional: wants a contract, a price and a start date."),
)

#: (id, label, mode, kind, description)
CHANNELS = (
    ("blog", "Company blog", "online", "web", "kadrypro.pl/blog, ~40 articles a month."),
    ("website", "kadrypro.pl", "online", "web", "Product pages, pricing and the demo form."),
    ("newsletter", "Newsletter „Kadry w praktyce”", "online", "email", "Weekly, sent on Tuesdays at 9:00."),
    ("account_email", "E-mail from the account manager", "online", "email", "1:1 mail from the CRM."),
    ("linkedin", "LinkedIn", "online", "social", "Company page and employee advocacy."),
    ("youtube", "YouTube", "online", "social", "Explainers and webinar recordings."),
    ("google_ads", "Google Ads", "online", "ads", "Search and Performance Max campaigns."),
    ("meta_ads", "Meta Ads (Facebook & Instagram)", "online", "ads", "Retargeting only."),
    ("google_search", "Google (organic)", "online", "search", "Organic search results."),
    ("review_sites", "G2 & Capterra", "online", "search", "Third-party review sites."),
    ("chat", "Chat on the website", "online", "chat", "Bot first, a human after 2 questions."),
    ("helpline", "Infolinia 800 123 456", "offline", "phone", "Support helpline."),
    ("sales_call", "Sales call", "offline", "phone", "Outbound and scheduled calls from sales."),
    ("expo_booth", "Stoisko na HR Expo", "offline", "store", "Trade-fair booth, twice a year."),
    ("partner_office", "Partner accounting office", "offline", "store", "Biuro rachunkowe that resells the product."),
    ("web_app", "KadryPro web app", "online", "app", "app.kadrypro.pl"),
    ("mobile_app", "KadryPro mobile app", "online", "app", "iOS and Android app for employees."),
    ("webinars", "Webinary", "online", "webinar", "Live webinars with Q&A, recorded."),
)
CHANNEL_KIND = {c[0]: c[3] for c in CHANNELS}
ONLINE = {c[0]: c[2] == "online" for c in CHANNELS}
KIND_CHANNELS: dict[str, list[str]] = {}
for _c in CHANNELS:
    KIND_CHANNELS.setdefault(_c[3], []).append(_c[0])

#: (id, full name, role, industry, age, gender, location, goals, needs, concerns, interests)
PERSONAS = (
    ("anna", "Anna Kowalska", "HR Manager", "Manufacturing", 38, "female", "Kraków",
     ("Cut time-to-hire by 30%", "Close payroll by the 5th working day"),
     ("One place for contracts, leave and payroll",),
     ("Migrating data from the old system", "GDPR (RODO) audits"),
     ("Employer branding", "Remote onboarding")),
    ("marek", "Marek Wiśniewski", "CFO", "Logistics", 47, "male", "Poznań",
     ("Predictable cost per employee",),
     ("Payroll numbers that match the ledger", "Exports to the accounting system"),
     ("Hidden fees after the first year", "Vendor lock-in"),
     ("Automation", "Cash-flow forecasting")),
    ("zofia", "Zofia Dąbrowska", "Owner", "Food & beverage", 34, "female", "Gdańsk",
     ("Stop doing payroll in Excel", "Hire 5 seasonal workers every summer"),
     ("Simple contracts for seasonal staff",),
     ("\"I'm not an HR person\"", "Penalties from ZUS for late declarations"),
     ("Small-business tips", "Instagram")),
    ("lukasz", "Łukasz Żółkiewski", "IT Administrator", "Healthcare", 29, "male", "Wrocław",
     ("Single sign-on for every tool",),
     ("SAML/SCIM, an API and audit logs",),
     ("Data residency outside the EU", "Another password to manage"),
     ("Security", "Self-hosting")),
    ("jurgen", "Jürgen Müller", "Head of People", "Automotive", 52, "male", "Katowice",
     ("Harmonise HR across the Polish and German plants",),
     ("Bilingual documents (PL/DE)", "Works-council friendly reporting"),
     ("Change management on the shop floor",),
     ("Lean management", "Labour law")),
    ("maria", "María José Núñez", "Recruiter", "IT services", 31, "female", "Warszawa",
     ("Fill 20 developer roles per quarter",),
     ("An applicant tracker that talks to payroll",),
     ("Candidates dropping out during paperwork",),
     ("Tech recruiting", "Diversity & inclusion")),
    ("katarzyna", "Katarzyna Grzęda-Szczęsna", "Accountant", "Accounting office", 44, "female", "Lublin",
     ("Serve 40 client companies with 2 people",),
     ("Multi-company payroll", "Bulk e-declarations"),
     ("Software that changes every month", "Client data mix-ups"),
     ("Tax law changes", "Automation")),
    ("piotr", "Piotr Nowak", "CEO", "Retail", 41, "male", "Łódź",
     ("Grow from 30 to 120 stores",),
     ("Scheduling for shift workers",),
     ("Another system nobody uses",),
     ("Growth", "Retail analytics")),
    ("chloe", "Chloé Lefèvre", "Office Manager", "Marketing agency", 27, "female", "Szczecin",
     ("Onboard a new hire in one day",),
     ("Leave requests from a phone",),
     ("Being blamed for payroll mistakes",),
     ("Team events", "Productivity tools")),
    ("olek", "Aleksander „Olek” Bąk", "Operations Director", "Construction", 56, "male", "Rzeszów",
     ("Track working time on 15 building sites",),
     ("Time tracking that works offline",),
     ("Foremen who do not use smartphones",),
     ("Construction tech",)),
    ("wei", "Li Wei (李伟)", "Finance Controller", "Electronics", 36, "male", "Wrocław",
     ("Monthly close in 3 days",),
     ("Cost-centre reports per project",),
     ("Currency conversion for expat payroll",),
     ("ERP integration",)),
    ("ingrid", "Ingrid Søndergård", "HR Business Partner", "Pharma", 45, "female", "Warszawa",
     ("A 90% onboarding satisfaction score",),
     ("Surveys and e-signatures in one tool",),
     ("Validated (GxP) systems only",),
     ("People analytics", "Wellbeing")),
)

TOPICS = (
    "remote work", "ZUS declarations", "PPK", "holiday leave", "overtime", "B2B contracts",
    "seasonal staff", "Zażółć gęślą jaźń", "minimum wage 2026", "sick leave (L4)",
    "employee onboarding", "exit interviews", "working-time accounts", "payslips",
    "\"umowa zlecenie\" vs. employment", "GDPR/RODO", "benefits", "night shifts",
)


@dataclass(frozen=True)
class Template:
    """One kind of touchpoint that can appear in a phase."""

    slug: str
    label: str
    channels: tuple[str, ...]
    intents: tuple[str, ...]
    context: str
    need: str
    customer_action: str
    company_action: str
    emotion: int  # typical emotion, -2..+2
    event: str | None = None  # tracked event, for online channels
    props: tuple[str, ...] = ()  # event-specific properties (names from PROPS)
    micro: str | None = None  # micro-conversion label ("" = micro-conversion without a label)


T = Template
TEMPLATES: dict[str, tuple[Template, ...]] = {
    "awareness": (
        T("blog_article", "Reads an article on hiring speed", ("blog",), ("educational",),
          "Searched \"how to reduce time to hire\" during a planning week",
          "Understand why hiring is slow", "Reads the article to the end and opens one related link",
          "Publishes a practical article with a checklist", 1, "Article Viewed", ("article_id", "topic", "reading_time_s")),
        T("linkedin_post", "Sees a LinkedIn post about payroll errors", ("linkedin",), ("educational",),
          "Scrolls LinkedIn on the tram to work", "Know whether others have the same problem",
          "Likes the post and reads the comments", "Posts a carousel with 5 common payroll mistakes", 0,
          "Social Post Engaged", ("network", "post_id")),
        T("search_ad", "Clicks an ad for \"program kadrowy\"", ("google_ads",), ("commercial",),
          "Googles \"program kadrowy dla małej firmy\"", "Find software for a small company quickly",
          "Clicks the ad and lands on the product page", "Bids on generic keywords with a clear price in the ad", 0,
          "Ad Clicked", ("campaign_id", "keyword", "gclid")),
        T("organic_search", "Finds the salary calculator in Google", ("google_search",), ("educational",),
          "Needs a net/gross figure for a job offer", "Get a correct net salary in seconds",
          "Opens the calculator from the search result", "Keeps the calculator up to date with 2026 rates", 1,
          "Search Result Clicked", ("query", "position")),
        T("expo_booth_visit", "Talks to us at the HR Expo booth", ("expo_booth",), ("educational", "commercial"),
          "Walks the trade fair with a colleague", "See the product without a sales call",
          "Leaves a business card and scans the QR code", "Shows a 5-minute demo and hands out the report", 1),
        T("partner_newsletter", "Reads a partner's newsletter", ("newsletter",), ("educational",),
          "Subscribed to an accounting office's newsletter years ago", "Stay on top of labour-law changes",
          "Opens the mail and clicks the KadryPro banner", "Co-writes the newsletter with the partner", 0,
          "Email Opened", ("campaign_id", "mail_client")),
        T("youtube_explainer", "Watches a 2-minute explainer", ("youtube",), ("educational",),
          "Looks for a video on the new PPK rules", "Learn the rules without reading the act",
          "Watches to the end and subscribes", "Publishes a short explainer with chapters", 1,
          "Video Played", ("video_id", "percent_watched")),
    ),
    "interest": (
        T("report_download", "Downloads the 2026 hiring report", ("website", "blog"), ("educational",),
          "Saw the report mentioned in an article", "Benchmarks to show the board",
          "Fills in the form and downloads the PDF", "Sends the report with a nurturing sequence", 0,
          "Report Downloaded", ("report_id", "form_fields", "consent_marketing"), "Report download"),
        T("newsletter_signup", "Subscribes to the newsletter", ("newsletter", "website"), ("educational",),
          "Liked two articles in one week", "Get labour-law updates without searching",
          "Leaves an e-mail address and confirms it", "Sends a welcome mail with the best articles", 1,
          "Newsletter Subscribed", ("consent_marketing", "interests"), "Newsletter sign-up"),
        T("webinar_signup", "Registers for the payroll webinar", ("webinars",), ("educational", "commercial"),
          "Got an invitation from LinkedIn", "Ask an expert about the 2026 changes",
          "Registers and adds it to the calendar", "Sends a calendar invite and a reminder 1 hour before", 1,
          "Webinar Registered", ("webinar_id", "seats"), "Webinar registration"),
        T("salary_calculator", "Uses the net/gross salary calculator", ("website",), ("educational",),
          "Prepares a job offer for a candidate", "A correct number to put in the offer",
          "Enters a gross amount and copies the result", "Offers to save the calculation after sign-up", 1,
          "Calculator Used", ("gross_amount", "contract_type"), ""),
        T("chatbot_question", "Asks the chatbot about ZUS declarations", ("chat",), ("educational", "commercial"),
          "Is not sure the product files ZUS declarations", "A straight yes/no answer",
          "Types a question in Polish, with typos", "Bot answers from the help centre, hands over to a human", -1,
          "Chat Started", ("conversation_id", "first_message_length")),
        T("retargeting_ad", "Sees a retargeting ad on Instagram", ("meta_ads",), ("commercial",),
          "Visited the pricing page last week", "A reminder at the right moment",
          "Clicks the ad with the customer quote", "Shows a testimonial to recent visitors only", 0,
          "Ad Clicked", ("campaign_id", "keyword", "gclid")),
    ),
    "consideration": (
        T("pricing_page", "Compares plans on the pricing page", ("website",), ("commercial",),
          "Has three vendors on a shortlist", "Know the total cost for 45 employees",
          "Switches between monthly and yearly prices", "Shows gross and net prices with a calculator", 0,
          "Pricing Viewed", ("plan", "billing_period", "employee_count")),
        T("case_study", "Reads the case study of a similar company", ("blog", "website"), ("commercial",),
          "Needs proof the tool works in manufacturing", "A story from the same industry",
          "Reads and forwards it to the CFO", "Publishes case studies with numbers, by industry", 1,
          "Case Study Viewed", ("case_study_id", "industry")),
        T("comparison_page", "Reads \"KadryPro vs Excel\"", ("blog",), ("commercial",),
          "Still does payroll in a spreadsheet", "An honest comparison",
          "Scrolls to the cost table", "Keeps the comparison factual and dated", 0,
          "Article Viewed", ("article_id", "topic", "reading_time_s")),
        T("webinar_live", "Attends the live webinar", ("webinars",), ("educational", "commercial"),
          "Registered two weeks ago", "Hear answers to own questions",
          "Asks a question in the Q&A", "Answers every question, sends the recording", 1,
          "Webinar Attended", ("webinar_id", "minutes_attended", "asked_question")),
        T("review_check", "Checks reviews on G2 and Capterra", ("review_sites",), ("commercial",),
          "Does not trust vendor websites", "Opinions from real users",
          "Reads the 1-star reviews first", "Answers every review within 48 hours", -1,
          "Review Site Referral", ("site", "rating_seen")),
        T("sdr_call", "Gets an intro call from an SDR", ("sales_call",), ("commercial",),
          "Downloaded a report three days ago", "Not to be pushed",
          "Agrees to a 15-minute call", "Asks about the problem before the product", -1),
        T("free_trial", "Starts a 14-day free trial", ("web_app", "website"), ("commercial", "purchase"),
          "Wants to try payroll on real data", "See if the team can use it without training",
          "Creates an account and adds 3 employees", "Pre-fills a demo company and offers a guided tour", 1,
          "Trial Started", ("plan", "employee_count", "signup_method"), "Trial start"),
    ),
    "decision": (
        T("demo_booking", "Books a demo", ("website",), ("commercial", "purchase"),
          "The CFO asked for a proper presentation", "A slot this week",
          "Picks a slot in the calendar widget", "Confirms within 5 minutes, with the agenda", 1,
          "Demo Requested", ("employee_count", "preferred_date", "consent_marketing"), "Demo request"),
        T("demo_call", "Has the product demo", ("sales_call",), ("commercial", "purchase"),
          "Joins with the CFO and the IT admin", "See own use case, not a generic tour",
          "Asks about data import and SSO", "Tailors the demo to the industry", 1),
        T("security_review", "Sends the security questionnaire", ("account_email",), ("purchase",),
          "IT requires a review for every SaaS vendor", "Answers in a week, not a month",
          "Sends a 120-question spreadsheet", "Keeps a trust centre with ready answers", -1,
          "Questionnaire Received", ("question_count", "due_date")),
        T("proposal", "Receives the proposal", ("account_email",), ("purchase",),
          "Agreed on scope after the demo", "A clear price with no surprises",
          "Opens the PDF twice and forwards it", "Sends a proposal with a price-lock guarantee", 0,
          "Proposal Opened", ("proposal_id", "quote_value", "currency")),
        T("roi_calculator", "Builds a business case with the ROI calculator", ("website",), ("commercial",),
          "Has to convince the board", "Numbers the board will believe",
          "Enters hours spent on payroll each month", "Pre-fills the calculator from the demo notes", 1,
          "ROI Calculated", ("hours_saved", "quote_value")),
        T("reference_call", "Talks to a reference customer", ("sales_call",), ("purchase",),
          "Wants to hear it from a peer", "The truth about the implementation",
          "Calls an HR manager from a similar plant", "Keeps a pool of willing references", 1),
    ),
    "purchase": (
        T("checkout", "Pays online with a card or BLIK", ("website",), ("purchase",),
          "Chose the monthly plan for 25 employees", "Pay in two minutes",
          "Enters the NIP and pays with BLIK", "Fetches company data from the GUS registry by NIP", 1,
          "Order Completed", ("order_id", "quote_value", "currency", "payment_method")),
        T("contract_signing", "Signs the contract electronically", ("account_email",), ("purchase",),
          "Legal approved the contract", "Sign without printing",
          "Signs with a qualified e-signature", "Sends the contract for e-signature with one click", 1,
          "Contract Signed", ("contract_id", "signature_type")),
        T("order_confirmation", "Receives the order confirmation letter", ("account_email", "newsletter"), ("purchase",),
          "Just paid", "Proof of purchase and next steps",
          "Forwards the confirmation to accounting", "Sends the invoice and an onboarding plan in one mail", 1,
          "Order Confirmation Sent", ("order_id", "attachment_count")),
        T("first_invoice", "Receives the first invoice", ("account_email",), ("purchase",),
          "Month-end close", "An invoice that passes the KSeF checks",
          "Downloads the invoice to C:\\Faktury\\2026\\", "Issues the invoice through KSeF", 0,
          "Invoice Sent", ("invoice_id", "quote_value", "currency")),
        T("partner_signing", "Signs at the partner accounting office", ("partner_office",), ("purchase",),
          "Already works with the accounting office", "Buy from someone they trust",
          "Signs the order form on paper", "Gives partners a one-page order form", 1),
    ),
    "adoption": (
        T("onboarding_email", "Gets the onboarding e-mail sequence", ("account_email",), ("educational",),
          "First day after the purchase", "Know what to do first",
          "Follows the checklist in the first mail", "Sends 5 mails over 14 days, stops when steps are done", 1,
          "Onboarding Email Opened", ("sequence_step", "mail_client")),
        T("data_import", "Imports employee data from the old system", ("web_app",), ("educational",),
          "Exported a CSV from the old system", "Import 200 people without retyping",
          "Uploads the CSV and maps the columns", "Detects the encoding and suggests the column mapping", -1,
          "Import Completed", ("row_count", "error_count", "file_encoding")),
        T("first_payroll", "Runs the first payroll", ("web_app",), ("purchase",),
          "Payday is in three days", "A payroll that matches the old system",
          "Runs payroll and compares 5 payslips", "Offers a parallel run with the old system", 0,
          "Payroll Run Completed", ("employee_count", "duration_ms", "warnings")),
        T("mobile_app_install", "Installs the employee mobile app", ("mobile_app",), ("educational",),
          "HR sent an invitation link", "Request leave from the phone",
          "Installs the app and logs in with a code", "Sends a one-time login code by SMS", 1,
          "App Installed", ("platform", "app_version")),
        T("support_chat", "Asks support about holiday accrual", ("chat",), ("educational",),
          "A leave balance looks wrong", "A fix before payday",
          "Describes the case and attaches a screenshot", "Answers within 10 minutes with a link to the fix", -1,
          "Support Chat Started", ("conversation_id", "first_message_length", "ticket_id")),
        T("helpline_call", "Calls the helpline", ("helpline",), ("educational",),
          "Cannot close the month", "A human who knows payroll",
          "Calls and waits on hold", "Routes payroll questions to certified specialists", -1),
        T("onsite_training", "Attends training at the partner office", ("partner_office",), ("educational",),
          "New payroll clerk joined", "Hands-on training in Polish",
          "Brings a laptop and real cases", "Runs monthly small-group training", 1),
    ),
    "advocacy": (
        T("nps_survey", "Answers the NPS survey", ("account_email",), ("educational",),
          "90 days after go-live", "Be heard",
          "Gives 9 and writes a comment", "Reads every comment and replies to detractors", 1,
          "Survey Answered", ("nps_score", "comment_length")),
        T("g2_review", "Writes a review on G2", ("review_sites",), ("commercial",),
          "Received a gift-card offer for an honest review", "Share the experience",
          "Writes a 4-star review", "Asks promoters only, never edits reviews", 1,
          "Review Submitted", ("site", "rating_given")),
        T("referral_invite", "Invites a peer to the referral programme", ("website", "account_email"), ("purchase",),
          "A friend complains about payroll", "Help a friend and get a discount",
          "Sends the referral link", "Gives both sides one month free", 2,
          "Referral Sent", ("referral_code", "channel_used"), "Referral"),
        T("case_study_interview", "Gives an interview for a case study", ("sales_call",), ("commercial",),
          "Proud of the results", "Recognition for the team",
          "Talks for 45 minutes about the rollout", "Sends the draft for approval before publishing", 2),
        T("community_post", "Posts in the customer community", ("linkedin",), ("educational",),
          "Found a clever workaround", "Help others and get feedback",
          "Writes a post with screenshots", "Features the best posts in the newsletter", 1,
          "Community Post Created", ("post_id", "has_attachment")),
    ),
    "loyalty": (
        T("renewal_reminder", "Gets the renewal reminder", ("account_email",), ("purchase",),
          "60 days before the renewal date", "No surprise on the invoice",
          "Confirms the renewal", "Shows last year's usage and savings", 0,
          "Renewal Reminder Sent", ("days_before", "quote_value")),
        T("module_upsell", "Adds the recruitment module", ("web_app",), ("purchase",),
          "Hiring 30 people this year", "Recruitment in the same tool",
          "Activates a 30-day trial of the module", "Suggests the module when job offers are created", 1,
          "Module Activated", ("module", "plan")),
        T("quarterly_review", "Joins the quarterly business review", ("webinars", "sales_call"), ("commercial",),
          "End of the quarter", "See the value in numbers",
          "Reviews the report with the CSM", "Prepares a usage report with benchmarks", 0,
          "QBR Attended", ("minutes_attended", "attendee_count")),
        T("loyalty_discount", "Receives a loyalty discount", ("account_email",), ("purchase",),
          "Third year as a customer", "Feel valued",
          "Applies the code at renewal", "Sends a code that works without contacting sales", 2,
          "Coupon Sent", ("coupon_code", "discount_pct")),
        T("whats_new", "Reads \"What's new\" in the app", ("web_app", "mobile_app"), ("educational",),
          "Logs in on Monday morning", "Know what changed before the team asks",
          "Opens the changelog", "Writes release notes for HR, not for developers", 0,
          "Changelog Viewed", ("release", "items_viewed")),
        T("user_conference", "Attends the user conference", ("expo_booth",), ("educational",),
          "Invited as a speaker", "Meet peers and the product team",
          "Joins the roadmap session", "Runs a roadmap Q&A with the product managers", 2),
    ),
}

#: Property lines: name -> text after the name. Descriptions are plain Python strings,
#: quoted (and escaped) when written out.
PROPS: dict[str, tuple[str, str | None]] = {
    # generic
    "occurred_at": ('datetime required', "When it happened, in UTC"),
    "session_id": ('string required pattern "^[a-f0-9]{32}$"', "Hex session id from the first-party cookie"),
    "page_url": ('string required max 2048', "Full URL including the query string"),
    "referrer": ('string max 2048', "document.referrer; empty when direct"),
    "utm_source": ('string min 1 max 100', "Campaign source, e.g. \"newsletter\" or \"linkedin\""),
    "utm_campaign": ('string min 1 max 100', None),
    "device": ('enum("desktop", "mobile", "tablet")', "Device class from the user agent"),
    "is_returning": ('boolean', "Has visited before (cookie older than 30 minutes)"),
    "locale": ('enum("pl-PL", "en-GB", "de-DE", "uk-UA")', None),
    "experiment_variants": ('list(string) max 10', "A/B test variants the visitor is in"),
    "postal_code": (r'string pattern "^\\d{2}-\\d{3}$"', "Polish postal code, e.g. 30-001"),
    "company_size": ('enum("1-9", "10-49", "50-249", "250+") required', None),
    "description": ('string max 500', "Free text the customer typed, trimmed"),
    # specific
    "article_id": ('string required min 1 max 64', "CMS id of the article"),
    "topic": ('enum("hiring", "payroll", "labour_law", "benefits")', "Main topic tag"),
    "reading_time_s": ('integer min 0', "Seconds between open and last scroll"),
    "network": ('enum("linkedin", "facebook", "instagram", "youtube") required', None),
    "post_id": ('string required', "Id of the post on the network"),
    "campaign_id": ('string required max 64', "Ad platform campaign id"),
    "keyword": ('string max 200', "Matched keyword, e.g. \"program kadrowy\""),
    "gclid": ('string', "Google click id"),
    "query": ('string max 500', "Search query when the engine passes it"),
    "position": ('integer min 1', "Rank of the result on the page"),
    "mail_client": ('enum("gmail", "outlook", "apple_mail", "other")', None),
    "video_id": ('string required', None),
    "percent_watched": ('number min 0 max 100', "Share of the video watched, 0-100"),
    "report_id": ('string required', "Slug of the report, e.g. \"hiring-2026\""),
    "form_fields": ('integer min 1 max 20', "Number of fields shown in the form"),
    "consent_marketing": ('boolean required', "Marketing consent (RODO/GDPR art. 6(1)(a))"),
    "interests": ('list(string) max 10', "Topics ticked in the form"),
    "webinar_id": ('string required min 3 max 64', None),
    "seats": ('integer min 1 max 10', "Seats reserved by one registration"),
    "gross_amount": ('number min 0', "Gross monthly salary entered, PLN"),
    "contract_type": ('enum("employment", "mandate", "b2b") required', "Umowa o pracę, zlecenie or B2B"),
    "conversation_id": ('string required', "Chat conversation id"),
    "first_message_length": ('integer min 0', "Characters in the first message"),
    "plan": ('enum("start", "biznes", "enterprise") required', "Plan shown or chosen"),
    "billing_period": ('enum("monthly", "yearly")', None),
    "employee_count": ('integer min 1 max 100000', "Employees declared by the customer"),
    "case_study_id": ('string required', None),
    "industry": ('string max 100', "Industry as chosen in the form"),
    "minutes_attended": ('integer min 0', "Minutes between join and leave"),
    "asked_question": ('boolean', "Asked at least one question in the Q&A"),
    "site": ('enum("g2", "capterra", "gowork") required', "Review site"),
    "rating_seen": ('number min 1 max 5', "Average rating shown on the site"),
    "signup_method": ('enum("email", "google", "microsoft")', None),
    "preferred_date": ('datetime', "Slot picked in the calendar widget"),
    "question_count": ('integer min 1', "Questions in the questionnaire"),
    "due_date": ('datetime required', None),
    "proposal_id": ('string required pattern "^PR-[0-9]{4}-[0-9]{5}$"', "Proposal number, e.g. PR-2026-00042"),
    "quote_value": ('number min 0 required', "Net value in the currency below"),
    "currency": ('enum("PLN", "EUR") required', None),
    "hours_saved": ('number min 0', "Estimated hours saved per month"),
    "order_id": ('string required', "Order number, e.g. \"ZAM/2026/0042\""),
    "payment_method": ('enum("card", "blik", "transfer") required', None),
    "contract_id": ('string required', None),
    "signature_type": ('enum("qualified", "trusted_profile", "simple") required', "Kwalifikowany, Profil Zaufany or simple"),
    "attachment_count": ('integer min 0 max 10', None),
    "invoice_id": (r'string required pattern "^FV/\\d{4}/\\d{2}/\\d+$"', "Invoice number, e.g. FV/2026/05/17"),
    "sequence_step": ('integer min 1 max 5 required', "Which mail of the sequence"),
    "row_count": ('integer min 0 required', "Rows in the uploaded file"),
    "error_count": ('integer min 0', "Rows rejected by validation"),
    "file_encoding": ('enum("utf-8", "windows-1250", "iso-8859-2")', "Detected encoding of the CSV"),
    "duration_ms": ('integer min 0', "Time to compute the payroll"),
    "warnings": ('list(string)', "Warning codes shown to the user"),
    "platform": ('enum("ios", "android") required', None),
    "app_version": (r'string required pattern "^\\d+\\.\\d+\\.\\d+$"', "Semantic version of the app"),
    "ticket_id": ('string', "Helpdesk ticket, e.g. #4521"),
    "nps_score": ('integer min 0 max 10 required', "Answer to \"How likely are you to recommend us?\""),
    "comment_length": ('integer min 0', None),
    "rating_given": ('integer min 1 max 5 required', "Stars given"),
    "referral_code": ('string required min 6 max 12', None),
    "channel_used": ('enum("link", "email", "linkedin")', "How the referral was shared"),
    "has_attachment": ('boolean', None),
    "days_before": ('integer min 0 required', "Days before the renewal date"),
    "module": ('enum("recruitment", "time_tracking", "surveys") required', None),
    "attendee_count": ('integer min 1', None),
    "coupon_code": ('string required', "Code shown in the mail, e.g. \"LOJALNY-3\""),
    "discount_pct": ('number min 0 max 100', None),
    "release": ('string required', "Release name, e.g. \"2026.05 Wiosna\""),
    "items_viewed": ('integer min 0', None),
}
GENERIC_PROPS = (
    "occurred_at", "session_id", "page_url", "referrer", "utm_source", "utm_campaign", "device",
    "is_returning", "locale", "experiment_variants", "postal_code", "company_size", "description",
)
#: Second events that a touchpoint may also fire.
EXTRA_EVENTS = (
    ("CTA Clicked", "Fired when the main call-to-action button is clicked.", ("cta_text",)),
    ("Form Submitted", "Fired after the form passes validation.", ("form_id", "field_errors")),
    ("Page Viewed", "Standard page view.", ()),
    ("Link Shared", "Fired when the share dialog is confirmed.", ("share_target",)),
)
PROPS.update({
    "cta_text": ('string required max 80', "Button text as shown, e.g. \"Umów demo →\""),
    "form_id": ('string required', None),
    "field_errors": ('list(string)', "Names of fields that failed validation"),
    "share_target": ('enum("copy", "email", "linkedin", "whatsapp")', None),
})

FEELINGS = {
    -2: ("frustrated", "sfrustrowana", "angry", "bezradny", "betrayed 😠"),
    -1: ("worried", "zaniepokojony", "confused", "impatient", "niepewna"),
    0: ("neutral", "obojętny", "busy", "sceptical", "rzeczowa"),
    1: ("curious", "hopeful", "zaciekawiona", "relieved", "reassured 🙂"),
    2: ("delighted", "zachwycony", "confident", "proud 🎉", "„wreszcie!”"),
}

#: (slug, label, cause, description, opportunity slug, opportunity label, phases where it happens)
PAINS = (
    ("long_form", "The report form asks for 11 fields", "product",
     "Visitors drop off at the form; only e-mail is needed to send the PDF.",
     "short_form", "Ask for e-mail only; enrich later", "interest consideration"),
    ("no_follow_up", "No follow-up after the webinar", "communication",
     "Attendees wait a week for the recording and hear nothing from sales.",
     "same_day_recording", "Send the recording and a summary within 2 hours", "interest consideration"),
    ("net_prices", "Prices shown without VAT", "price",
     "Small companies compare gross prices and think we hide costs.",
     "gross_toggle", "Show gross prices with a net/gross toggle", "consideration decision purchase"),
    ("trial_holidays", "Trial expires during the holidays", "product",
     "Trials started in December end before anyone is back at work.",
     "pause_trial", "Let users pause the trial once", "consideration decision"),
    ("hotline_wait", "Helpline wait over 15 minutes at month-end", "service",
     "Between the 1st and the 5th the queue is the longest, exactly when payroll closes.",
     "callback", "Offer a call-back instead of waiting on hold", "adoption loyalty"),
    ("token_delivery", "Hardware token delivery takes 2 weeks", "delivery",
     "The e-signature token is shipped by post and delays the contract.",
     "remote_signature", "Accept Profil Zaufany and remote qualified signatures", "decision purchase"),
    ("scanned_invoice", "Invoice arrives as a scanned PDF", "communication",
     "Accounting cannot import a scan; they retype the numbers.",
     "ksef_invoice", "Issue structured invoices through KSeF", "purchase loyalty"),
    ("import_encoding", "Import breaks Polish characters (ą, ę, ó → Ä…)", "product",
     "Old systems export windows-1250; the importer assumed UTF-8. Paths like C:\\Eksport\\pracownicy.csv fail.",
     "detect_encoding", "Detect windows-1250 and convert to UTF-8", "adoption"),
    ("english_contract", "Contract sent in English only", "communication",
     "Legal asks for a Polish version and the deal waits a week.",
     "bilingual_contract", "Bilingual PL/EN contract template", "decision purchase"),
    ("rep_changes", "The sales rep changes three times", "service",
     "Every new rep asks the same questions again.",
     "single_owner", "One owner from first call to go-live", "consideration decision"),
    ("late_onboarding", "Onboarding call scheduled 3 weeks out", "service",
     "Customers pay from day one but cannot start.",
     "self_onboarding", "Self-service onboarding with an optional call", "purchase adoption"),
    ("coupon_rejected", "Discount code \"WIOSNA26\" rejected at checkout", "price",
     "The code is case-sensitive; \"wiosna26\" fails with a generic error.",
     "lenient_codes", "Accept codes in any case and explain failures", "purchase loyalty"),
    ("daily_login", "The mobile app asks to log in every day", "product",
     "Employees give up on requesting leave from the phone.",
     "long_session", "Keep the session for 30 days with biometrics", "adoption loyalty"),
    ("renewal_jump", "Renewal price jumps 40% without notice", "price",
     "The first-year discount ends silently; the CFO finds out from the invoice.",
     "renewal_notice", "Announce the renewal price 60 days ahead", "loyalty"),
    ("welcome_pack", "Welcome pack arrives after go-live", "delivery",
     "The printed quick-start guide is sent by courier and arrives too late to help.",
     "digital_pack", "Send a digital quick-start on the day of purchase", "purchase adoption"),
    ("jargon", "Help articles are full of developer jargon", "communication",
     "Terms like \"webhook\" and \"payload\" scare HR users away.",
     "plain_language", "Rewrite the top 50 articles in plain Polish", "awareness adoption advocacy"),
    ("ads_overpromise", "The ad promises a price we do not offer", "communication",
     "\"Od 5 zł za pracownika\" is the price for 500+ employees only; small firms feel misled.",
     "honest_ads", "Show the price for the visitor's company size", "awareness interest"),
    ("referral_slow", "Referral reward paid after 3 months", "price",
     "Advocates forget they referred anyone before the free month arrives.",
     "instant_reward", "Credit the reward on the referred customer's first payment", "advocacy loyalty"),
    ("review_nagging", "Review requests sent to unhappy customers", "communication",
     "Detractors get the same G2 invitation as promoters and post 1-star reviews.",
     "nps_gate", "Invite only customers who scored 9-10 in the NPS survey", "advocacy"),
)

KPIS = (
    ("visitor_to_lead", "Visitor-to-lead conversion", ">= 3%"),
    ("lead_volume", "Lead volume per month", ">= 450 MQL"),
    ("trial_to_paid", "Trial-to-paid conversion", ">= 18%"),
    ("demo_show_rate", "Demo show rate", ">= 80%"),
    ("cart_abandonment", "Checkout abandonment", "< 25%"),
    ("time_to_value", "Days from purchase to first payroll", "<= 14 days"),
    ("churn", "Monthly churn", "< 1.5%"),
    ("retention_90", "Retention after 90 days", ">= 95%"),
    ("nps", "Net Promoter Score", ">= 45"),
    ("clv", "Customer lifetime value", ">= 36 000 zł"),
    ("referral_rate", "Share of new customers from referrals", ">= 12%"),
    ("expansion", "Net revenue retention", ">= 110%"),
)

SEVERITY_WEIGHTS = (("low", 3), ("medium", 5), ("high", 3), ("critical", 1))
LEVELS = ("low", "medium", "high")
STATUSES = (("idea", 5), ("planned", 3), ("in_progress", 2), ("done", 1))

DESCRIPTIONS = (
    "Mapped from {n} customer interviews in Q{q}; see the research board.",
    "Numbers from Google Analytics 4 and the CRM, last {n} days.",
    "Owner reviews this step every sprint; data in Looker.",
    "Heatmap shows most users never scroll past the first screen.",
    "Added after the workshop in Kraków; validated with {n} user tests.",
    "Zażółć gęślą jaźń: Polish diacritics must survive every export.",
    "Ticket #{n} describes the original complaint.",
    "Path on the shared drive: \\\\fileserver\\cx\\maps\\{n}.pdf",
)
LONG_DESCRIPTIONS = (
    ("What we know:", "- {n}% of visitors arrive from mobile", "- the median session is {q} minutes",
     "Next review: after the \"Wiosna\" campaign."),
    ("Research notes (interviews, n={n}):", "\"I just want it to work on payday.\"",
     "Mixpanel funnel shows a {q}% drop here."),
    ("Ownership moved from marketing to CS in Q{q}.", "Keep the copy in Polish and English."),
)
# fmt: on


def q(text: str) -> str:
    """A one-line string literal: backslashes and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def q_astral(text: str) -> str:
    """Like :func:`q`, but characters outside the BMP (emoji) written as ``\\u{...}``."""
    body = q(text)
    return "".join(f"\\u{{{ord(ch):X}}}" if ord(ch) > 0xFFFF else ch for ch in body)


def tq(lines: list[str] | tuple[str, ...], indent: str) -> list[str]:
    """A triple-quoted string over several lines, indented with its block.

    Backslashes are escaped; a quote is escaped only before another quote, where it
    could end the string, so the text reads as a person would write it. (The closing
    quotes sit on their own line, so a quote at the end of a line is safe.)"""
    out = ['"""']
    for line in lines:
        body = line.replace("\\", "\\\\")
        fixed = []
        for i, ch in enumerate(body):
            if ch == '"' and i + 1 < len(body) and body[i + 1] == '"':
                fixed.append('\\"')
            else:
                fixed.append(ch)
        out.append(indent + "  " + "".join(fixed))
    out.append(indent + '"""')
    return out


@dataclass
class _Tp:
    index: int
    id: str
    stage: int
    template: Template
    channel: str
    entry: bool = False
    next: list[int] = field(default_factory=list)


class _Gen:
    def __init__(self, touchpoints: int, seed: int, personas: int | None, stages: int | None) -> None:
        if touchpoints < 1:
            raise ValueError("touchpoints must be at least 1")
        self.n = touchpoints
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_personas = personas if personas is not None else min(12, 3 + touchpoints // 250)
        self.n_stages = stages if stages is not None else len(PHASES)
        if self.n_personas < 1 or self.n_stages < 1:
            raise ValueError("personas and stages must be at least 1")
        self.out: list[str] = []
        self.used_ids: dict[str, None] = {}
        self.event_schemas: dict[str, tuple[str, ...]] = {}
        self.pain_count = 0

    # -- helpers --------------------------------------------------------------------
    def uid(self, base: str) -> str:
        """A fresh ASCII id; all ids in the file are unique, whatever their kind."""
        ident = base
        n = 2
        while ident in self.used_ids:
            ident = f"{base}_{n}"
            n += 1
        self.used_ids[ident] = None
        return ident

    def w(self, line: str = "") -> None:
        self.out.append(line)

    def weighted(self, pairs: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def description(self, indent: str, long_share: float = 0.25) -> None:
        r = self.rng
        n, qq = r.randint(3, 4000), r.randint(1, 4)
        if r.random() < long_share:
            lines = [ln.format(n=n % 90 + 5, q=qq) for ln in r.choice(LONG_DESCRIPTIONS)]
            block = tq(lines, indent)
            self.w(f"{indent}description {block[0]}")
            self.out.extend(block[1:])
        else:
            self.w(f"{indent}description {q(r.choice(DESCRIPTIONS).format(n=n, q=qq))}")

    # -- sections -------------------------------------------------------------------
    def header(self) -> None:
        r = self.rng
        self.w(f"# Synthetic benchmark journey: {self.n} touchpoints, seed {self.seed}.")
        self.w("# Generated by benchmarks/generate.py; do not edit by hand.")
        self.w()
        jid = self.uid(f"kadrypro_{self.n}tp_seed{self.seed}".replace("-", "m"))  # unique per file
        self.w(f"journey {jid} {q('KadryPro: od pierwszej wizyty do polecenia')} {{")
        self.w(f"  version {q(f'{r.randint(1, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}')}")
        self.w("  owner marketing")
        block = tq(
            (
                "How an HR manager finds KadryPro, evaluates it and becomes an advocate.",
                f"Synthetic: {self.n} touchpoints over {self.n_stages} stages and {self.n_personas} personas.",
                'Labels mix English and Polish („Świadomość”, "Zażółć gęślą jaźń").',
            ),
            "  ",
        )
        self.w(f"  description {block[0]}")
        self.out.extend(block[1:])
        tags = ["b2b", "saas", "hr", "lead-generation", "benchmark", "ścieżka klienta"]
        r.shuffle(tags)
        self.w("  tags " + ", ".join(q(t) for t in tags[: r.randint(3, 6)]))
        self.w("}")
        self.w()

    def vocabulary(self) -> None:
        self.w("# Who owns what")
        for tid, label, desc in TEAMS:
            self.uid(tid)
            self.w(f"team {tid} {q(label)} {{")
            self.w(f"  description {q(desc)}")
            self.w("}")
        self.w()
        self.w("# Why customers come (lead generation: educational, commercial, purchase)")
        width = max(len(i[0]) for i in INTENTS)
        for iid, label, desc in INTENTS:
            self.uid(iid)
            if self.rng.random() < 0.5:
                self.w(f"intent {iid:<{width}} {q(label)}")
            else:
                self.w(f"intent {iid} {q(label)} {{")
                self.w(f"  description {q(desc)}")
                self.w("}")
        self.w()
        self.w("# Where: online and offline channels")
        width = max(len(c[0]) for c in CHANNELS)
        for cid, label, mode, kind, desc in CHANNELS:
            self.uid(cid)
            head = f"channel {cid:<{width}} {q(label)} {mode} {kind}"
            if self.rng.random() < 0.4:
                self.w(head + " {")
                self.w(f"  description {q(desc)}")
                self.w("}")
            else:
                self.w(head)
        self.w()

    def personas(self) -> list[str]:
        r = self.rng
        ids = []
        for i in range(self.n_personas):
            base = PERSONAS[i % len(PERSONAS)]
            pid_base, name, role, industry, age, gender, location, goals, needs, concerns, interests = base
            cycle = i // len(PERSONAS)
            pid = self.uid(pid_base if cycle == 0 else f"{pid_base}_{cycle + 1}")
            ids.append(pid)
            label = f"{name}, {role}" + (f" (segment {cycle + 1})" if cycle else "")
            self.w(f"persona {pid} {q(label)} {{")
            self.w(f"  role {q(role)}")
            self.w(f"  industry {q(industry)}")
            self.w(f"  age {age + (r.randint(-5, 5) if cycle else 0)}")
            self.w(f"  gender {q(gender)}")
            self.w(f"  location {q(location)}")
            if r.random() < 0.5:
                self.description("  ", 0.5)
            for g in goals:
                self.w(f"  goal {q(g)}")
            for n in needs:
                self.w(f"  need {q(n)}")
            for c in concerns:
                self.w(f"  concern {q(c)}")
            for it in interests:
                self.w(f"  interest {q(it)}")
            self.w("}")
            self.w()
        return ids

    # -- layout: touchpoints per stage and flows --------------------------------------
    def allocate(self, phases: list[str]) -> list[int]:
        r = self.rng
        k, n = len(phases), self.n
        if n < k:  # fewer touchpoints than stages: spread them out
            counts = [0] * k
            for i in range(n):
                counts[0 if n == 1 else round(i * (k - 1) / (n - 1))] += 1
            return counts
        weights = [PHASE_WEIGHT[p] * r.uniform(0.85, 1.15) for p in phases]
        total = sum(weights)
        rest = n - k
        shares = [rest * wt / total for wt in weights]
        counts = [1 + int(s) for s in shares]
        order = sorted(range(k), key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in order[: n - sum(counts)]:
            counts[i] += 1
        return counts

    def layout(self, phases: list[str]) -> tuple[list[list[_Tp]], list[_Tp]]:
        r = self.rng
        counts = self.allocate(phases)
        width = len(str(self.n))
        stages: list[list[_Tp]] = []
        tps: list[_Tp] = []
        for s, phase in enumerate(phases):
            members = []
            templates = TEMPLATES[phase]
            for _ in range(counts[s]):
                t = r.choice(templates)
                tp = _Tp(len(tps), self.uid(f"{t.slug}_{len(tps) + 1:0{width}d}"), s, t, r.choice(t.channels))
                members.append(tp)
                tps.append(tp)
            stages.append(members)
        nonempty = [s for s in range(len(stages)) if stages[s]]
        first, last = nonempty[0], nonempty[-1]
        # entry points: the first touchpoint, then about half of the first stage (all of
        # it when it is also the last stage, which has no flows to reach it by)
        for i, tp in enumerate(stages[first]):
            tp.entry = i == 0 or first == last or r.random() < 0.45

        def next_stage(s: int) -> int | None:
            later = [x for x in nonempty if x > s]
            return later[0] if later else None

        def has_room(tp: _Tp) -> bool:
            return len(tp.next) < 3 and tp.stage != last

        # 1. every touchpoint that is not an entry gets one incoming flow
        for tp in tps:
            if tp.entry:
                continue
            prev = [x for x in nonempty if x < tp.stage]
            a = [p for p in stages[prev[-1]] if has_room(p)] if prev else []
            b = [p for p in stages[tp.stage][: tp.index - stages[tp.stage][0].index] if has_room(p)]
            pool = a if a and (not b or r.random() < 0.8) else b
            if not pool:
                pool = [p for p in tps[: tp.index] if has_room(p)]
            if not pool:
                continue
            fewest = min(len(p.next) for p in pool)
            pred = r.choice([p for p in pool if len(p.next) == fewest])
            pred.next.append(tp.index)
        # 2. top up: 1-3 flows from every touchpoint outside the last stage
        for tp in tps:
            if tp.stage == last:
                continue
            want = max(len(tp.next), r.choice((1, 1, 2, 2, 2, 3)))
            nxt = next_stage(tp.stage)
            for _ in range(12):
                if len(tp.next) >= want or nxt is None:
                    break
                roll = r.random()
                same_later = stages[tp.stage][tp.index - stages[tp.stage][0].index + 1 :]
                after = next_stage(nxt)
                if roll < 0.15 and same_later:
                    target = r.choice(same_later)
                elif roll < 0.25 and after is not None:
                    target = r.choice(stages[after])
                else:
                    target = r.choice(stages[nxt])
                if target.index not in tp.next:
                    tp.next.append(target.index)
            tp.next.sort()
        return stages, tps

    # -- stages and touchpoints ---------------------------------------------------------
    def events(self, tp: _Tp, indent: str) -> None:
        r = self.rng
        t = tp.template
        if t.event is None:
            return
        events = [(t.event, "Fired when the customer " + t.customer_action[0].lower() + t.customer_action[1:] + ".", t.props)]
        if r.random() < 0.5:
            extra = r.choice(EXTRA_EVENTS)
            if extra[0] != t.event:
                events.append(extra)
        for name, desc, specific in events:
            props = self.event_schemas.get(name)
            if props is None:  # one schema per event name, as a tracking plan needs
                count = r.randint(2, 6)
                chosen = list(specific[:count])
                generic = [p for p in GENERIC_PROPS if p not in chosen]
                r.shuffle(generic)
                chosen += generic[: count - len(chosen)]
                props = tuple(chosen)
                self.event_schemas[name] = props
            self.w(f"{indent}event {q(name)} {{")
            self.w(f"{indent}  description {q(desc)}")
            width = max(len(p) for p in props)
            for p in props:
                spec, doc = PROPS[p]
                line = f"{indent}  {p:<{width}} {spec}"
                if doc is not None:
                    line += f" {q(doc)}"
                self.w(line)
            self.w(f"{indent}}}")

    def pain(self, indent: str, at: str | None, phase: str | None) -> None:
        r = self.rng
        fitting = [p for p in PAINS if phase is None or phase in p[6].split()]
        slug, label, cause, desc, oslug, olabel, _ = r.choice(fitting or PAINS)
        self.pain_count += 1
        pid = self.uid(f"{slug}_{self.pain_count}")
        oid = self.uid(f"{oslug}_{self.pain_count}")
        owners = PHASE_OWNERS[phase] if phase else tuple(t[0] for t in TEAMS)
        self.w(f"{indent}pain {pid} {q(label)} {{")
        if at is not None:
            self.w(f"{indent}  at {at}")
        self.w(f"{indent}  severity {self.weighted(SEVERITY_WEIGHTS)}")
        self.w(f"{indent}  cause {cause}")
        if r.random() < 0.2:
            block = tq((desc, f"Seen in {r.randint(2, 60)}% of sessions (Hotjar, last 30 days)."), indent + "  ")
            self.w(f"{indent}  description {block[0]}")
            self.out.extend(block[1:])
        else:
            self.w(f"{indent}  description {q(desc)}")
        self.w(f"{indent}  opportunity {oid} {q(olabel)} {{")
        self.w(f"{indent}    impact {r.choice(LEVELS)}")
        self.w(f"{indent}    effort {r.choice(LEVELS)}")
        self.w(f"{indent}    owner {r.choice(owners)}")
        self.w(f"{indent}    status {self.weighted(STATUSES)}")
        if r.random() < 0.5:
            self.w(f"{indent}    description {q('Estimated effect: +' + str(r.randint(1, 30)) + '% on the next step.')}")
        self.w(f"{indent}  }}")
        self.w(f"{indent}}}")

    def touchpoint(self, tp: _Tp, tps: list[_Tp], phase: str, persona_ids: list[str]) -> None:
        r = self.rng
        t = tp.template
        ind = "    "
        label = t.label
        if r.random() < 0.35:
            label = f"{label}: {r.choice(TOPICS)}"
        self.w(f"  touchpoint {tp.id} {q(label)} {{")
        if r.random() < 0.6:
            self.description(ind, 0.3)
        self.w(f"{ind}channel {tp.channel}")
        k = min(len(persona_ids), r.choice((1, 1, 1, 2, 2, 3)))
        self.w(f"{ind}persona " + ", ".join(r.sample(persona_ids, k)))
        self.w(f"{ind}intent " + ", ".join(t.intents))
        if tp.entry:
            self.w(f"{ind}entry")
        context = t.context
        if r.random() < 0.3:
            context += f" (topic: {r.choice(TOPICS)})"
        self.w(f"{ind}context {q(context)}")
        self.w(f"{ind}need {q(t.need)}")
        self.w(f"{ind}customer_action {q(t.customer_action)}")
        self.w(f"{ind}company_action {q(t.company_action)}")
        emotion = max(-2, min(2, t.emotion + r.choice((-1, 0, 0, 0, 1))))
        feeling = r.choice(FEELINGS[emotion])
        shown = f"+{emotion}" if emotion > 0 else str(emotion)
        literal = q_astral(feeling) if r.random() < 0.5 else q(feeling)
        comment = "  # from interviews" if r.random() < 0.08 else ""
        self.w(f"{ind}emotion {shown} {literal}{comment}")
        self.w(f"{ind}rating {max(1, min(5, 3 + emotion + r.choice((-1, 0, 0, 1))))}")
        self.w(f"{ind}owner {PHASE_OWNERS[phase][0] if r.random() < 0.75 else PHASE_OWNERS[phase][1]}")
        if t.micro is not None or r.random() < 0.05:
            micro = t.micro if t.micro is not None else "Engaged visit"
            self.w(f"{ind}micro_conversion" + (f" {q(micro)}" if micro else ""))
        if tp.next:
            self.w(f"{ind}next " + ", ".join(tps[i].id for i in tp.next))
        if ONLINE[tp.channel]:
            self.events(tp, ind)
        if r.random() < 0.4:
            self.pain(ind, None, phase)
        self.w("  }")

    def stages(self, persona_ids: list[str]) -> tuple[list[str], list[_Tp]]:
        r = self.rng
        phases = [PHASES[i % len(PHASES)] for i in range(self.n_stages)]
        stage_ids = [self.uid(f"s{i + 1}_{p}") for i, p in enumerate(phases)]
        layout, tps = self.layout(phases)
        for s, phase in enumerate(phases):
            label, desc = STAGE_LABELS[phase]
            cycle = s // len(PHASES)
            if cycle:
                label = f"{label} (cykl {cycle + 1})"
            self.w(f"# --- {s + 1}. {phase} ---")
            self.w(f"stage {stage_ids[s]} {q(label)} phase {phase} {{")
            self.w(f"  description {q(desc)}")
            for tp in layout[s]:
                self.w()
                self.touchpoint(tp, tps, phase, persona_ids)
            if r.random() < 0.3:
                self.w()
                self.pain("  ", None, phase)
            self.w("}")
            self.w()
        return stage_ids, tps

    def top_level_pains(self, stage_ids: list[str], tps: list[_Tp]) -> None:
        r = self.rng
        count = max(1, self.n // 8)
        self.w("# Pain points found in research, attached by id")
        for _ in range(count):
            if r.random() < 0.85:
                tp = r.choice(tps)
                at, phase = tp.id, PHASES[tp.stage % len(PHASES)]
            else:
                s = r.randrange(len(stage_ids))
                at, phase = stage_ids[s], PHASES[s % len(PHASES)]
            self.pain("", at, phase)
            self.w()

    def kpis(self, tps: list[_Tp]) -> None:
        r = self.rng
        count = max(3, min(40, self.n // 40))
        entries = [tp for tp in tps if tp.entry]
        self.w("# KPIs")
        for i in range(count):
            slug, label, target = KPIS[i % len(KPIS)]
            kid = self.uid(slug if i < len(KPIS) else f"{slug}_{i // len(KPIS) + 1}")
            path = [r.choice(entries)]
            length = r.randint(3, 5)
            while len(path) < length and path[-1].next:
                path.append(tps[r.choice(path[-1].next)])
            self.w(f"kpi {kid} {q(label)} {{")
            self.w(f"  target {q(target)}")
            if len(path) >= 2 and r.random() < 0.7:
                self.w("  funnel " + " -> ".join(tp.id for tp in path))
            else:
                chosen = r.sample(tps, min(len(tps), r.randint(1, 4)))
                self.w("  measures " + ", ".join(tp.id for tp in sorted(chosen, key=lambda t: t.index)))
            self.w(f"  owner {r.choice(('marketing', 'sales', 'customer_success'))}")
            if r.random() < 0.4:
                self.description("  ", 0.0)
            self.w("}")
            self.w()

    def run(self) -> str:
        self.header()
        self.vocabulary()
        persona_ids = self.personas()
        stage_ids, tps = self.stages(persona_ids)
        self.top_level_pains(stage_ids, tps)
        self.kpis(tps)
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n"


def generate(touchpoints: int, seed: int = 0, personas: int | None = None, stages: int | None = None) -> str:
    """One complete `.journey` file with ``touchpoints`` touchpoints; the same arguments
    always give the same text."""
    return _Gen(touchpoints, seed, personas, stages).run()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic .journey file to stdout.")
    ap.add_argument("--touchpoints", type=int, required=True, help="number of touchpoints (>= 1)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--personas", type=int, default=None, help="number of personas (default: grows with size, 3..12)")
    ap.add_argument("--stages", type=int, default=None, help="number of stages (default 8; phases cycle after 8)")
    args = ap.parse_args(argv)
    try:
        text = generate(args.touchpoints, args.seed, args.personas, args.stages)
    except ValueError as e:
        ap.error(str(e))
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
