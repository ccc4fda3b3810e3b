/** A container name as the engine reports it (`/name`, or `name` from Podman) -> `name`. */
export function containerName(raw: string): string {
  return raw.replace(/^\//, '');
}

/** An image name as the engine reports it: Podman qualifies local images as `localhost/<name>` -> `<name>`. */
export function imageName(raw: string): string {
  return raw.replace(/^localhost\//, '');
}
