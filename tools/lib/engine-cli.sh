# Sourced by the tools scripts: the CLI command that talks to each engine pocketdock runs.

# engine_cli NAME -> the command that talks to that engine (docker: its own socket; podman: local storage)
engine_cli() {
  case $1 in
    docker) echo "docker --host unix:///var/run/docker.sock" ;;
    podman) echo "podman" ;;
  esac
}
