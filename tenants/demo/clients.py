"""The demo agency: who works there and which clients it serves (one per industry mode)."""

from typing import TypedDict


class DemoClient(TypedDict):
    slug: str
    name: str
    industry: str
    plan: str
    owner: str
    details: dict[str, str]


DEMO_ADMIN_EMAIL = "admin@shoreline.localhost"
DEMO_STAFF_EMAIL = "staff@shoreline.localhost"
# The demo host page that embeds every demo bot's widget (served by `make demo` itself).
DEMO_SITE_HOSTS = ("localhost", "demo-site.localhost", "127.0.0.1")


def demo_site_origins(port: int | None) -> list[str]:
    """The pretend client website's origins on the port the demo runs on (`make demo` on another port
    than 8000 used to leave the demo page off the allowlist: every widget call answered 403)."""
    suffix = f":{port}" if port else ""
    return [f"http://{host}{suffix}" for host in DEMO_SITE_HOSTS]


DEMO_SITE_ORIGINS = demo_site_origins(8000)  # the default port, for callers without settings

DEMO_CLIENTS: list[DemoClient] = [
    {
        "slug": "serenity-house", "name": "Serenity House Recovery", "industry": "sober_living", "plan": "growth",
        "owner": "owner@serenity.example",
        "details": {"business_address": "48 Linden Ave, Portland, ME 04101", "business_email": "admissions@serenity.example", "business_hours": "mon-fri 09:00-18:00; sat-sun 10:00-16:00", "business_phone": "(555) 201-4410"},
    },
    {
        "slug": "harbor-grill", "name": "Harbor Grill", "industry": "restaurant", "plan": "pro",
        "owner": "owner@harborgrill.example",
        "details": {"business_address": "210 Commercial St, Portland, ME 04101", "business_email": "hello@harborgrill.example", "business_hours": "mon-thu 11:00-21:00; fri-sat 11:00-22:30; sun 10:00-20:00", "business_phone": "(555) 318-2207", "booking_url": "https://harborgrill.example/reserve",
                    "menu_url": "https://harborgrill.example/menu", "ordering_url": "https://harborgrill.example/order",
                    "doordash_url": "https://www.doordash.com/store/harbor-grill",
                    "ubereats_url": "https://www.ubereats.com/store/harbor-grill",
                    "grubhub_url": "https://www.grubhub.com/restaurant/harbor-grill"},
    },
    {
        "slug": "fade-lab", "name": "Fade Lab Barbers", "industry": "barbershop", "plan": "starter",
        "owner": "owner@fadelab.example",
        "details": {"business_address": "77 Congress St, Portland, ME 04101", "business_email": "book@fadelab.example", "business_hours": "tue-fri 10:00-19:00; sat 09:00-17:00; sun-mon closed", "business_phone": "(555) 422-9031", "booking_url": "https://fadelab.example/book"},
    },
    {
        "slug": "tidal-fitness", "name": "Tidal Fitness", "industry": "gym", "plan": "growth",
        "owner": "owner@tidalfitness.example",
        "details": {"business_address": "5 Marginal Way, Portland, ME 04101", "business_hours": "mon-fri 05:00-22:00; sat-sun 07:00-19:00", "business_phone": "(555) 630-1180", "business_email": "hello@tidalfitness.example",
                    "booking_url": "https://tidalfitness.example/classes"},
    },
    {
        "slug": "coastline-realty", "name": "Coastline Realty", "industry": "realtor", "plan": "pro",
        "owner": "owner@coastlinerealty.example",
        "details": {"business_address": "120 Exchange St, Suite 3, Portland, ME 04101", "business_email": "dana@coastlinerealty.example", "business_hours": "mon-fri 09:00-18:00; sat 10:00-16:00; sun closed", "business_phone": "(555) 774-5521", "agent_name": "Dana Reyes",
                    "listings_url": "https://coastlinerealty.example/listings"},
    },
    {
        "slug": "bayside-auto", "name": "Bayside Auto Care", "industry": "auto_service", "plan": "starter",
        "owner": "owner@baysideauto.example",
        "details": {"business_address": "402 Forest Ave, Portland, ME 04101", "business_email": "service@baysideauto.example", "business_hours": "mon-fri 07:30-18:00; sat 08:00-13:00; sun closed", "business_phone": "(555) 889-3302", "booking_url": "https://baysideauto.example/appointments"},
    },
]


# BOT-1 facts the pack details do not carry: short notes visitors ask about (parking, rent, drop-off).
DEMO_NOTES: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "serenity-house": [("parking", ("park", "parking"), "Free street parking on Linden Ave, and two visitor spots in the driveway."), ("rent", ("rent", "cost", "how much", "price", "weekly", "deposit"), "Rent is $225 a week for a shared room or $300 for a single, with a $225 deposit. Utilities, wifi, laundry and house supplies are included.")],
    "harbor-grill": [("parking", ("park", "parking"), "Metered street parking on Commercial St, and the Fore St garage is a two-minute walk.")],
    "fade-lab": [("parking", ("park", "parking"), "Free parking in the lot behind the shop; enter from Oak St.")],
    "tidal-fitness": [("parking", ("park", "parking"), "Free member parking in our own lot, with bike racks by the door.")],
    "coastline-realty": [("parking", ("park", "parking"), "Visitor parking in the Exchange St garage; we validate tickets."),
                         ("fees", ("charge", "commission", "your fee", "fees"), "Buyers usually pay nothing up front: "
                          "the buyer-agent fee is agreed in writing before touring and is often paid by the seller. "
                          "Selling? The listing commission is set in your listing agreement, and Dana Reyes will "
                          "give you an exact quote with a free market analysis.")],
    "bayside-auto": [("parking", ("park", "parking"), "Park in any spot marked Customer in front of the shop."), ("drop off", ("drop off", "drop-off", "after hours", "key drop"), "Yes: use the key drop box by the office door after hours, with your name and number on the envelope.")],
}
