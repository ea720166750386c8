"""Labelled prototype sentences for embedding-similarity classification.

A message is compared (cosine) with these examples; the nearest ones vote. They are written to
cover the six industry modes, and are deliberately different from the evaluation devset wording.
"""

from __future__ import annotations

import threading
from typing import Final

import numpy as np

from agents.detection.labels import LeadType
from agents.embeddings.base import Embedder, FloatMatrix

LEAD_TYPE_PROTOTYPES: Final[dict[LeadType, tuple[str, ...]]] = {
    "service_request": (
        "I need my car's brakes replaced",
        "My check engine light is on, can you take a look at it",
        "I want to order food for delivery",
        "Can I place a catering order for 40 people",
        "I'm looking for a place for my brother who just finished detox",
        "I need a bed in a sober living home",
        "I want to sell my house",
        "We are looking to buy a three bedroom home",
        "I want to sign up for a membership",
        "I'd like to get personal training",
        "I need a beard trim and a fade",
        "Can you do a color treatment for my hair",
    ),
    "appointment": (
        "Can I book an appointment for tomorrow afternoon",
        "I'd like to schedule a haircut for Saturday morning",
        "Can I schedule a tour of the house this week",
        "Is there an opening on Friday at 3",
        "I want to book a showing for the listing on Main Street",
        "Can I reserve a table for four at 7pm",
        "I need to reschedule my appointment",
        "Can I come in for a free trial class on Monday",
        "Can I drop my car off Tuesday morning",
        "Do you have any availability today",
    ),
    "pricing": (
        "How much does it cost",
        "What are your prices",
        "How much is a men's haircut",
        "What's the monthly rent for a room",
        "How much is a monthly membership",
        "How much would an oil change be",
        "Do you have any discounts or specials",
        "What's your commission rate",
        "Is there a deposit or fee to move in",
        "How much is the lunch special",
    ),
    "hours_location": (
        "What are your hours",
        "Are you open on Sunday",
        "What time do you close tonight",
        "Where are you located",
        "What's your address",
        "Is there parking nearby",
        "How do I get to your shop",
        "Are you open on holidays",
        "What time does the kitchen open",
        "Which neighborhood is the house in",
    ),
    "complaint": (
        "I'm really unhappy with my haircut",
        "My order was cold and an hour late",
        "You overcharged me for the repair",
        "Nobody called me back, this is unacceptable",
        "The staff was rude to me",
        "I want a refund",
        "The problem is still there after you fixed it",
        "I cancelled my membership but you keep charging me",
        "This is the worst service I've ever had",
    ),
    "general_question": (
        "Do you accept insurance",
        "Are pets allowed",
        "Do you have vegan options on the menu",
        "What are the house rules",
        "Do you take walk-ins",
        "What brands of cars do you work on",
        "Do you offer classes for beginners",
        "Is the house still on the market",
        "What's included in the program",
        "Do you have gluten free food",
        "Can residents have visitors",
    ),
    "other": (
        "hi",
        "hello there",
        "thanks so much",
        "ok cool",
        "lol",
        "are you a robot",
        "bye",
        "test",
        "what's the weather like",
        "good morning",
    ),
}

HIGH_INTENT_PROTOTYPES: Final[tuple[str, ...]] = (
    "I want to book right now",
    "I'm ready to sign up today",
    "Can I come in today",
    "Please call me to set it up",
    "I'd like to move in this week",
    "I want to schedule a showing as soon as possible",
    "Book me in for tomorrow",
    "I need it fixed today",
    "How do I get started",
    "Put me down for Saturday at 10",
)
LOW_INTENT_PROTOTYPES: Final[tuple[str, ...]] = (
    "just looking",
    "hi there",
    "thanks",
    "I was just curious",
    "maybe sometime next year",
    "what's your address",
    "I'm not interested",
    "this is a terrible experience",
    "who owns this place",
    "ok bye",
)

CRISIS_PROTOTYPES: Final[tuple[str, ...]] = (
    "I want to kill myself",
    "I don't want to live anymore",
    "I'm thinking about ending my life",
    "I took too many pills",
    "I think I'm overdosing",
    "I relapsed and I'm scared I'm going to die",
    "I want to hurt myself",
    "Everyone would be better off without me",
    "I can't do this anymore, I want it all to stop",
)

_lock = threading.Lock()
_matrices: dict[tuple[str, tuple[str, ...]], FloatMatrix] = {}


def prototype_matrix(embedder: Embedder, sentences: tuple[str, ...]) -> FloatMatrix:
    """Embeddings of `sentences`, computed once per embedder per process."""
    key = (embedder.name, sentences)
    matrix = _matrices.get(key)
    if matrix is None:
        computed = embedder.embed(list(sentences))
        with _lock:
            matrix = _matrices.setdefault(key, computed)
    return matrix


def lead_type_similarities(embedder: Embedder, embedding: FloatMatrix) -> dict[LeadType, float]:
    """Per lead type, the mean of the two highest cosine similarities to its prototypes."""
    scores: dict[LeadType, float] = {}
    for label, sentences in LEAD_TYPE_PROTOTYPES.items():
        similarities = np.sort(prototype_matrix(embedder, sentences) @ embedding)[::-1]
        scores[label] = float(similarities[:2].mean())
    return scores


def intent_similarity_gap(embedder: Embedder, embedding: FloatMatrix) -> float:
    """How much closer the message is to high-intent than to low-intent examples (-1..1)."""
    high = float(np.max(prototype_matrix(embedder, HIGH_INTENT_PROTOTYPES) @ embedding))
    low = float(np.max(prototype_matrix(embedder, LOW_INTENT_PROTOTYPES) @ embedding))
    return high - low
