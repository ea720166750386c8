"""Visitor messages for the widget benchmarks: every call returns a wording not seen before in the run.

The first widget benchmark had 4 wordings per conversation slot, so 7 of 8 messages hit the
per-worker embedding cache and its figures were best-case. Here each slot combines a core question
with an opener and a closer (8 x 8 x 6+ = 380+ wordings per slot) in a shuffled order, and once a
slot's combinations are used up a visit number is appended: no text repeats, so every message
pays for a real embedding, as real traffic mostly does.

The engine embeds a question without the greeting and courtesy around it (`matching_text`), so
openers and closers alone no longer make a new embedding. Every message after the greeting slot also
carries a detail of its own ("We'd be 6 people.", "It's for Maya's birthday.") and the generator
checks that what is embedded never repeats (`embedded`): the greeting slot is small talk and embeds
nothing; every other message is a real forward pass.
"""

from __future__ import annotations

import itertools
import random
import threading

from agents.conversation.nodes import matching_text, needs_embedding

OPENERS = ("", "Hi! ", "Quick question: ", "Hello, ", "Sorry to bother you, ", "Hey, ", "One more thing: ",
           "Excuse me, ")
CLOSERS = ("", " Thanks!", " Thank you.", " Cheers", " Please let me know.", " Just wondering.",
           " Asking for a friend.", " Appreciate it.")
# One visitor's conversation, in order: greeting, FAQ-style questions, knowledge questions, a lead
# with a phone number, and something the bot cannot answer (a fallback turn).
SLOTS: tuple[tuple[str, ...], ...] = (
    ("Hi there", "Hello!", "hey", "Good evening", "Good morning", "Hiya"),
    ("Do you deliver?", "Can I get delivery?", "Is delivery available?", "Do you do delivery through DoorDash?",
     "do you deliver to my area", "Can I order food for delivery tonight?"),
    ("What are your opening hours?", "When are you open?", "What time do you close tonight?",
     "Are you open on Sundays?", "what time do you open tomorrow", "Are you open late on Fridays?"),
    ("Is the patio heated in winter?", "Is your patio heated?", "Can we sit outside when it's cold?",
     "How many people fit on the patio?", "Can I reserve a patio table?", "Is there outdoor seating?"),
    ("Do you have vegan dishes on the menu?", "Any vegan options?", "What vegetarian food do you have?",
     "Is the risotto vegan?", "Do you make fresh pasta?", "Does the menu change with the seasons?"),
    ("I'd like to book a table for 4 on Friday, my number is 415-555-{n:04d}",
     "Can you call me about a party of 12? 415-555-{n:04d}", "Table for two tonight please, call 628-555-{n:04d}",
     "We want to book a birthday dinner, reach me at 510-555-{n:04d}",
     "Please phone me back at 707-555-{n:04d} about a reservation",
     "Booking for 6 on Saturday evening, my cell is 925-555-{n:04d}"),
    ("Can I bring my dog on the patio?", "Are dogs allowed?", "Is the patio dog friendly?", "Can dogs come inside?",
     "Is my puppy welcome?", "Do you allow pets outside?"),
    ("what is the meaning of life", "Do you sell car insurance?", "Who won the game last night?",
     "Can you fix my laptop?", "How do I renew my passport?", "What's the capital of Mongolia?"),
)


NAMES = ("Maya", "Sam", "Priya", "Luis", "Anna", "Tom", "Keiko", "Omar", "Grace", "Ben", "Sofia", "Raj", "Ella",
         "Noah", "Zoe", "Ivan", "Lena", "Marco", "Aisha", "Jack")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CITIES = ("Boston", "Denver", "Austin", "Chicago", "Seattle", "Miami", "Portland", "Atlanta", "Phoenix", "Detroit")
DETAILS = ("We'd be {k} people.", "It's for {name}'s birthday.", "We're thinking of {day} around {hour}pm.",
           "My friend {name} wants to know.", "We're visiting from {city} on {day}.", "There will be {k} of us.")


class Wordings:
    """Thread-safe source of never-repeated messages, slot by slot (`text(slot)`)."""

    def __init__(self, seed: int = 17) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._queues: list[list[tuple[str, str, str]]] = [[] for _ in SLOTS]
        self._rounds = [0] * len(SLOTS)
        self._numbers = itertools.count(1000)
        self.issued: set[str] = set()
        self.embedded: set[str] = set()  # what the engine embedded: never twice

    def text(self, slot: int) -> str:
        slot %= len(SLOTS)
        with self._lock:
            queue = self._queues[slot]
            if not queue:
                cores = SLOTS[slot]
                if slot == 0:  # greetings stay small talk: two in a row, not a visit number
                    cores += tuple(f"{a} {b}" for a in SLOTS[0] for b in SLOTS[0] if a != b)
                queue.extend(itertools.product(OPENERS, cores, CLOSERS))
                self._rng.shuffle(queue)
                self._rounds[slot] += 1
            opener, core, closer = queue.pop()
            number = next(self._numbers) % 10000
            question = core.format(n=number)
            if slot:
                question += " " + self._rng.choice(DETAILS).format(
                    k=self._rng.randint(2, 14), name=self._rng.choice(NAMES), day=self._rng.choice(DAYS),
                    hour=self._rng.randint(5, 9), city=self._rng.choice(CITIES))
            text = opener + question + closer
            if self._rounds[slot] > 1 or text in self.issued or (
                needs_embedding(text) and matching_text(text) in self.embedded
            ):
                text = opener + question + f" (visit {len(self.issued)})" + closer
            self.issued.add(text)
            if needs_embedding(text):
                self.embedded.add(matching_text(text))
            return text
