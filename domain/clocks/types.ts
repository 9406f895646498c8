// The vocabulary of the legal-clock engine: regimes, anchor events, facts and what a rule produces.
// The identifiers below are a public contract (`incident clocks`, scripts, the workflow's history), so
// they are only ever added to, never renamed.

export const REGIME_IDS = [
  'gdpr-art33',
  'gdpr-art34',
  'nis2',
  'dora',
  'sec-8k',
  'hipaa',
  'nydfs',
  'lgpd',
  'contract',
] as const;
export type RegimeId = (typeof REGIME_IDS)[number];

/** Anchor events a responder records; `submitted:<obligation>` is the other, open-ended, form. */
export const EVENT_NAMES = [
  'awareness',
  'classified-significant',
  'classified-major',
  'materiality-determined',
  'incident-determined',
  'discovered',
  'extortion-paid',
  'authority-request',
  'delay-start',
  'delay-end',
  'handled',
  'information-available',
  'activities-recovered',
] as const;
export type PlainEventName = (typeof EVENT_NAMES)[number];
export type EventName = PlainEventName | `submitted:${string}`;

export const CONVENTIONS = [
  'hours',
  'calendar-days',
  'months',
  'business-days',
  'earliest-of',
  'paused',
  'given',
] as const;
/** How a rule counts; `given` is a deadline an authority set itself (an intermediate report it asked for). */
export type Convention = (typeof CONVENTIONS)[number];

export interface ClockEvent {
  name: EventName;
  /** ISO 8601 instant the event happened (never later than when it was recorded). */
  at: string;
  /** authority-request: the deadline the authority gave. */
  dueAt?: string;
  /** delay-start / delay-end / authority-request / information-available: the regime it concerns. */
  regime?: RegimeId;
  /** A document or filing reference (a delay's letter, a submission's number). */
  reference?: string;
  /** Why: mandatory for a materiality determination and for a corrected awareness. */
  reason?: string;
}

/** A customer of the registry, with the notification deadlines its contract sets. */
export interface ContractCustomer {
  id: string;
  name: string;
  contacts: string[];
  timeZone?: string;
  personalDataHours?: number;
  projectDataHours?: number;
  /** A business associate agreement's own limit, in calendar days from discovery. */
  baaDays?: number;
  contractReference?: string;
}

export interface ClockFacts {
  /** Whether personal data is affected (GDPR, LGPD); undefined until the assessment says. */
  personalData?: boolean;
  /** Whether project (non-personal customer) data is affected: the contract clocks. */
  projectData?: boolean;
  /** The breach is likely to result in a risk to people (Art. 33(1)); false records the assessment that it is not. */
  riskToPeople?: boolean;
  /** High risk to people (Art. 34(1)). */
  highRisk?: boolean;
  /** Art. 34(3) exemption recorded: 'encrypted' | 'risk-removed' | 'public-communication'. */
  art34Exemption?: string;
  people?: number;
  /** US state code → residents affected (HIPAA media notice). */
  residents?: Record<string, number>;
  hipaaRole?: 'covered-entity' | 'business-associate';
  trustServiceProvider?: boolean;
  ongoing?: boolean;
  /**
   * Affected customers as the assessment names them. A customer found in the registry (by id, name or a
   * contact address) gets its own contract clock; the others share the policy's fallback clock.
   */
  customers?: { name: string; email?: string }[];
}

/** Per-organisation choices the engine needs: from the worker's configuration, never from a request. */
export interface ClockOptions {
  /** Legal time zone per regime where the organisation chooses it; defaults per regime otherwise. */
  zones?: Partial<Record<RegimeId, string>>;
  /** ISO 3166 country whose public holidays and bank holidays count (EU regimes; default FR). */
  memberState?: string;
  /** GDPR: the supervisory authority (default CNIL). */
  supervisoryAuthority?: string;
  /** NIS2: the CSIRT or competent authority (default ANSSI / CERT-FR). */
  nis2Authority?: string;
  /** DORA: the competent authority and the entity's type, which decides Art. 5(4)-(5) relief. */
  doraAuthority?: string;
  doraEntityType?: string;
  /** DORA Art. 5(6): the authority disapplied the weekend relief for this entity. */
  doraReliefDisapplied?: boolean;
  /** GDPR Art. 34: the organisation's target for telling data subjects, in hours (no statutory hours). */
  art34TargetHours?: number;
  /** Contract fallback when a customer's contract says nothing (the policy's 24 h / 72 h). */
  contractPersonalDataHours?: number;
  contractProjectDataHours?: number;
  customers?: ContractCustomer[];
  /**
   * LGPD: the controller is a small processing agent (agente de tratamento de pequeno porte, Resolution
   * CD/ANPD No. 2/2022) still entitled to the differentiated regime, whose ANPD and data-subject deadlines
   * count double (Resolution CD/ANPD No. 15/2024 Art. 6 §8 and Art. 9 §6).
   */
  lgpdSmallAgent?: boolean;
}

export interface RuleRef {
  /** The obligation id it produces, e.g. dora-initial. */
  id: string;
  version: string;
  /** The article it implements, e.g. "Regulation (EU) 2022/2554 Art. 19(4)(a); Delegated Regulation (EU) 2025/301 Art. 5(1)(a)". */
  citation: string;
  /** ISO date from which the rule applies. */
  appliesFrom: string;
}

export interface ClockObligation {
  regime: RegimeId;
  /** Obligation id (`dora-initial`, `contract:acme`…), unique within an incident. */
  obligation: string;
  title: string;
  /** Who is owed the notice: "CNIL", "ANSSI / CERT-FR", a customer's name. */
  recipient: string;
  dueAt: string;
  /** The rule's legal time zone, in which due dates are read. */
  zone: string;
  convention: Convention;
  rule: RuleRef;
  /** The event it counts from and its instant. */
  anchor: { event: EventName; at: string };
  /** The facts and events used, in words, for the reports and `incident show`. */
  why: string[];
  /** Set when the deadline had already passed when its anchor was recorded, with why. */
  lateBecause?: string;
  /** Paused by a granted delay that has not ended yet: the due instant then counts from its end. */
  pausedUntilDelayEnd?: boolean;
  /** Roles reminded before and told after the deadline. */
  roles: string[];
  /** Per-regime reminder offsets in minutes before the deadline (a 4 h clock gets 120, 60, 15). */
  reminderOffsetsMinutes?: number[];
}

/** A regime that may apply but lacks a fact or an event: shown, never silently skipped. */
export interface UndecidedClock {
  regime: RegimeId;
  obligation?: string;
  /** What to answer, e.g. "answer hipaa-role=covered-entity|business-associate". */
  question: string;
}

export interface ClockOutcome {
  obligations: ClockObligation[];
  undecided: UndecidedClock[];
}

/** What a regime pack sees: the events so far, the facts, and the organisation's options. */
export interface RegimeContext {
  events: ClockEvent[];
  facts: ClockFacts;
  options: ClockOptions;
  /** The regime's legal zone after options are applied. */
  zone: string;
}

export interface RegimePack {
  id: RegimeId;
  title: string;
  /** Default legal time zone of the regime. */
  defaultZone: string;
  /** Events and facts the pack reads, for `incident clocks --list`. */
  events: EventName[];
  facts: string[];
  rules: RuleRef[];
  evaluate(ctx: RegimeContext): ClockOutcome;
}
