"""The demo agency: who works there and which clients it serves (one per industry mode)."""

DEMO_ADMIN_EMAIL = "admin@shoreline.localhost"
DEMO_STAFF_EMAIL = "staff@shoreline.localhost"
# The demo host page that embeds every demo bot's widget (served by `make demo` itself).
DEMO_SITE_ORIGINS = ["http://localhost:8000", "http://demo-site.localhost:8000", "http://127.0.0.1:8000"]

DEMO_CLIENTS = [
    {
        "slug": "serenity-house", "name": "Serenity House Recovery", "industry": "sober_living", "plan": "growth",
        "owner": "owner@serenity.example",
        "details": {"business_phone": "(555) 201-4410"},
    },
    {
        "slug": "harbor-grill", "name": "Harbor Grill", "industry": "restaurant", "plan": "pro",
        "owner": "owner@harborgrill.example",
        "details": {"business_phone": "(555) 318-2207", "booking_url": "https://harborgrill.example/reserve",
                    "menu_url": "https://harborgrill.example/menu", "ordering_url": "https://harborgrill.example/order",
                    "doordash_url": "https://www.doordash.com/store/harbor-grill",
                    "ubereats_url": "https://www.ubereats.com/store/harbor-grill",
                    "grubhub_url": "https://www.grubhub.com/restaurant/harbor-grill"},
    },
    {
        "slug": "fade-lab", "name": "Fade Lab Barbers", "industry": "barbershop", "plan": "starter",
        "owner": "owner@fadelab.example",
        "details": {"business_phone": "(555) 422-9031", "booking_url": "https://fadelab.example/book"},
    },
    {
        "slug": "tidal-fitness", "name": "Tidal Fitness", "industry": "gym", "plan": "growth",
        "owner": "owner@tidalfitness.example",
        "details": {"business_phone": "(555) 630-1180", "business_email": "hello@tidalfitness.example",
                    "booking_url": "https://tidalfitness.example/classes"},
    },
    {
        "slug": "coastline-realty", "name": "Coastline Realty", "industry": "realtor", "plan": "pro",
        "owner": "owner@coastlinerealty.example",
        "details": {"business_phone": "(555) 774-5521", "agent_name": "Dana Reyes",
                    "listings_url": "https://coastlinerealty.example/listings"},
    },
    {
        "slug": "bayside-auto", "name": "Bayside Auto Care", "industry": "auto_service", "plan": "starter",
        "owner": "owner@baysideauto.example",
        "details": {"business_phone": "(555) 889-3302", "booking_url": "https://baysideauto.example/appointments"},
    },
]
