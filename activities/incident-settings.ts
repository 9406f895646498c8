import { createHash } from 'node:crypto';
import type { AccessPolicy, LinkTrust } from '../domain/access';
import { actionRolesOf } from '../domain/access-settings';
import { canonicalJson } from '../domain/canonical-json';
import { normaliseRecipient } from '../domain/links/link-token';
import { FAILURE_TYPES } from '../domain/failure-types';
import { DEFAULT_POLICY_PROFILE, type Policy, type PolicyVersion } from '../domain/policy';
import type { IncidentState } from '../domain/incident';
import { deadlinesOnceAssessedOrNote } from '../domain/upcoming-deadlines';
import type { Config } from '../platform/config/schema';
import { permanent } from './permanent-failure';

// What an incident takes from the worker's configuration, never from whoever opened it: the policy
// (deadlines, recipients, escalation) and the roster with its role mapping.

export interface SettingsDeps {
  config: Pick<Config, 'policyProfiles'> & Partial<Pick<Config, 'access'>>;
  /** Reads the access section of the configuration again, for a reload without restarting the worker. */
  rereadAccess?: () => Config['access'];
  /** Public link keys (platform/link-key.ts): each new incident accepts links checked with them. */
  linkKeys?: string[];
}

export interface LoadedPolicy {
  policy: Policy;
  version: PolicyVersion;
  /** The profile the opener asked for when the configuration has no such profile (the default applies). */
  unknownProfile?: string;
}

export interface IncidentSettings extends LoadedPolicy {
  access: AccessPolicy | undefined;
  /** For the senior alert: the deadlines each possible assessment would open (domain/upcoming-deadlines.ts). */
  deadlinesOnceAssessed?: string[];
  /** With a link key: the mail links the incident accepts, for the addresses its policy names. */
  links?: LinkTrust;
}

const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

export function incidentSettingsActivities(deps: SettingsDeps) {
  // What the worker started with does not change, so every new incident (an alert storm opens many) gets
  // the same objects, digested once; only a reload reads the configuration again.
  let startupAccess: { value: AccessPolicy | undefined } | undefined;
  const policies = new Map<string, LoadedPolicy>();

  function accessPolicy(reread: boolean): AccessPolicy | undefined {
    if (!reread) return (startupAccess ??= { value: enforced(deps.config.access) }).value;
    let access = deps.config.access;
    if (deps.rereadAccess) {
      try {
        access = deps.rereadAccess();
      } catch (err) {
        throw permanent(
          `The access configuration cannot be reloaded: ${(err as Error).message}`,
          FAILURE_TYPES.accessConfigInvalid,
        );
      }
    }
    return enforced(access);
  }

  function enforced(access: Config['access'] | undefined): AccessPolicy | undefined {
    if (!access || Object.keys(access.roster).length === 0) return undefined;
    const rules = {
      roster: access.roster,
      actionRoles: actionRolesOf(access),
      maxSignatureAgeSeconds: access.maxSignatureAgeSeconds,
    };
    return { ...rules, fingerprint: sha256(rules).slice(0, 16) };
  }

  function linksFor(policy: Policy): { links?: LinkTrust } {
    if (!deps.linkKeys?.length) return {};
    const named = Object.values(policy.recipients).flat().map(normaliseRecipient);
    return { links: { publicKeys: deps.linkKeys, recipients: [...new Set(named)].sort() } };
  }

  /** An unknown profile still gets the default, so the CTO is told and the clocks run; the workflow flags it. */
  function policyFor(profile: string | undefined): LoadedPolicy {
    const profiles = deps.config.policyProfiles;
    const known = profile !== undefined && Object.hasOwn(profiles, profile);
    const name = known ? profile : DEFAULT_POLICY_PROFILE;
    let loaded = policies.get(name);
    if (!loaded) {
      const policy = profiles[name];
      loaded = { policy, version: { profile: name, version: policy.version, sha256: sha256(policy) } };
      policies.set(name, loaded);
    }
    return known || profile === undefined ? loaded : { ...loaded, unknownProfile: profile };
  }

  return {
    /**
     * The roster and role mapping to enforce; undefined when no roster is configured. `reread` takes the
     * configuration as it is on disk now (incident reload-access), else as this worker started with it.
     */
    async loadAccessPolicy(reread = false): Promise<AccessPolicy | undefined> {
      return accessPolicy(reread);
    },

    /**
     * Both at once, for a new incident: read from memory, so the workflow runs it as a local activity and
     * has its policy within its first workflow task, before the senior alert goes out.
     */
    async loadIncidentSettings({
      profile,
      incident,
    }: {
      profile?: string;
      /** The new incident as it opens; given, the deadlines an assessment would open are computed too. */
      incident?: IncidentState;
    }): Promise<IncidentSettings> {
      const loaded = policyFor(profile);
      return {
        ...loaded,
        access: accessPolicy(false),
        ...linksFor(loaded.policy),
        ...(incident ? { deadlinesOnceAssessed: deadlinesOnceAssessedOrNote(incident, loaded.policy) } : {}),
      };
    },
  };
}
