import type { Tags } from "yaml";

/**
 * YAML 1.1 as kubectl reads it: `yes`/`no` booleans and `0644` octals, duplicate keys allowed, but
 * timestamps stay strings (go-yaml keeps timestamp-like values as strings).
 */
export const YAML_OPTIONS = {
  version: "1.1",
  uniqueKeys: false,
  customTags: (tags: Tags) => tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:timestamp"),
} as const;
