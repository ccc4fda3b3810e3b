/** An image profile `pocketdock build` makes from a root filesystem that `tools/rootfs.sh <name>` writes. */
export interface Profile {
  name: string;
  description: string;
  /** Default reference: `pocketdock/<name>:latest`. */
  image: string;
  /** Image settings, as `docker import --change` lines. */
  changes: string[];
  /** Minutes rather than seconds on a first build (cached afterwards). */
  slow: boolean;
}

const label = (name: string): string[] => ['LABEL pocketdock.image=true', `LABEL pocketdock.profile=${name}`];

export const PROFILES: readonly Profile[] = [
  {
    name: 'busybox',
    description: 'busybox-static with every applet in /bin (~2 MB)',
    image: 'pocketdock/busybox:latest',
    changes: [...label('busybox'), 'ENV PATH=/bin', 'CMD ["/bin/sh"]'],
    slow: false,
  },
  {
    name: 'node',
    description: "busybox plus this machine's node and the libraries it links (~110 MB)",
    image: 'pocketdock/node:latest',
    changes: [...label('node'), 'ENV PATH=/usr/local/bin:/bin', 'WORKDIR /app', 'CMD ["node"]'],
    slow: false,
  },
  {
    name: 'python',
    description: "Debian 12 (bookworm) minbase with python3, from Debian's packages by mmdebstrap (~165 MB; first build takes minutes, then cached)",
    image: 'pocketdock/python:latest',
    changes: [...label('python'), 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'ENV LANG=C.UTF-8', 'CMD ["python3"]'],
    slow: true,
  },
];
