/** The fields of a sink's config entry that name it. */
interface Named {
  readonly type: string;
  readonly name?: string | undefined;
}

/** Default names: the type, suffixed with its position when the same type appears twice. */
export function sinkName(config: Named, index: number, all: readonly Named[]): string {
  if (config.name) return config.name;
  const sameType = all.filter((c) => c.type === config.type && !c.name).length;
  return sameType > 1 ? `${config.type}-${index}` : config.type;
}
