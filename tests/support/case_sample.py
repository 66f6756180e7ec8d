"""A small case in two chapters, valid, for tests of the parser and of play."""

CASE = """---
id: case-small
kind: case
title: "Case: Ana"
overview: A small case in two chapters. Fictional.
intensity: light
objectives:
  - Pass on only what the next sector needs.
references:
  - A source.
country: CA
chapters:
  - {id: community, sector: community, title: A neighbour notices}
  - {id: clinic, sector: health, specialty: emergency, title: The clinic}
facts:
  trust: Ana trusts the people she has met.
  consent: Ana agreed that her details may be passed on.
risks:
  alerted: The man who controls Ana has noticed.
rules:
  privacy: Health information is shared only with consent outside an emergency. <https://example.org/law>
---

## At the bus stop {#bus-stop chapter=community}

Ana waits at the bus stop with a bandaged hand.

- Ask quietly whether she is all right. -> talk {#ask sets=trust}
  > She looks up. "It is my hand."
- Shout at the man who drops her off. -> end-alerted {#shout sets=alerted}
  > He drives off with her.

## A quiet talk {#talk}

She says her boss keeps her passport.

- Ask whether she would like you to call a clinic for her. -> refer {#offer sets=consent}
  > She nods: "Yes, the clinic. Not the police."
- Call the clinic without asking her. -> refer {#just-call}
  > She did not say yes.

## Telling the clinic {#refer handoff=clinic}

You call the walk-in clinic. What do you tell them?

- [x] Her hand needs to be seen {#told-hand}
  > It is why she needs the clinic.
- [ ] Your guess about her immigration status {#told-status}
  > Not yours to share.
- [x] She agreed that you call {#told-consent when=consent rule=privacy}
  > Only if she did agree.

## He drove off with her {#end-alerted ending=harmful}

Confronting the man put Ana at risk.

## Triage {#triage chapter=clinic}

Ana arrives at the clinic.

- Treat her hand, and see her alone as the referral asked. -> end-best {#alone needs="told-hand told-consent"}
  > She is seen alone.
- Treat her hand with the man present. -> end-ok {#with-man}
  > She says nothing more.
- Call the police against her wishes. -> end-harm {#police needs=!consent}
  > She stops trusting the clinic.

## Seen, and safe {#end-best ending=best}

The chain held.

## Treated, not heard {#end-ok ending=acceptable}

Her hand is treated.

## Trust broken {#end-harm ending=harmful}

She will not come back.
"""
