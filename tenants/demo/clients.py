"""The demo agency: who works there and which clients it serves (one per industry mode)."""

DEMO_ADMIN_EMAIL = "admin@shoreline.localhost"
DEMO_STAFF_EMAIL = "staff@shoreline.localhost"

DEMO_CLIENTS = [
    # slug, name, industry, plan, owner
    ("serenity-house", "Serenity House Recovery", "sober_living", "growth", "owner@serenity.example"),
    ("harbor-grill", "Harbor Grill", "restaurant", "pro", "owner@harborgrill.example"),
    ("fade-lab", "Fade Lab Barbers", "barbershop", "starter", "owner@fadelab.example"),
    ("tidal-fitness", "Tidal Fitness", "gym", "growth", "owner@tidalfitness.example"),
    ("coastline-realty", "Coastline Realty", "realtor", "pro", "owner@coastlinerealty.example"),
    ("bayside-auto", "Bayside Auto Care", "auto_service", "starter", "owner@baysideauto.example"),
]
