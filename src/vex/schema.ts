import { z } from 'zod';

/**
 * VEX (Vulnerability Exploitability eXchange): what a document states about a vulnerability in a
 * product. Every reader (OpenVEX, CycloneDX VEX, CSAF VEX) produces these statements; the engine
 * matches them to findings (src/engine/vex.ts).
 */

export const VEX_FORMATS = ['openvex', 'cyclonedx-vex', 'csaf-vex'] as const;
export type VexFormat = (typeof VEX_FORMATS)[number];

/** OpenVEX's statuses; CycloneDX's analysis states and CSAF's product status lists map onto them. */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/** A parsed package URL (`pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS`), normalized as the purl spec says for its type. */
export const Purl = z
  .object({
    type: z.string().min(1),
    namespace: z.string().min(1).optional(),
    name: z.string().min(1),
    version: z.string().min(1).optional(),
    qualifiers: z.record(z.string(), z.string()),
  })
  .strict();
export type Purl = z.infer<typeof Purl>;

/** A product as the document names it (`id`), parsed (`purl`). */
export const VexComponent = z.object({ id: z.string().min(1), purl: Purl }).strict();
export type VexComponent = z.infer<typeof VexComponent>;

/** A product: an image (`pkg:oci/…`) or a package, optionally narrowed to some of its packages (`subcomponents`). */
export const VexProduct = VexComponent.extend({ subcomponents: z.array(VexComponent) }).strict();
export type VexProduct = z.infer<typeof VexProduct>;

export const VexStatement = z
  .object({
    /** The file the statement is written in. */
    document: z.string().min(1),
    /** Its JSON path in that file, e.g. `statements[3]`. */
    at: z.string().min(1),
    vulnerability: z.string().min(1),
    /** Other IDs of the same vulnerability (GHSA ⇄ CVE ⇄ GO-…); never contains `vulnerability`. */
    aliases: z.array(z.string().min(1)),
    /** Empty when a CycloneDX statement names only versions with another status: it then matches nothing. */
    products: z.array(VexProduct),
    status: z.enum(VEX_STATUSES),
    justification: z.string().min(1).optional(),
    impactStatement: z.string().min(1).optional(),
    /** When the statement was made or last updated (ISO 8601, UTC); undefined when the document gives no date. */
    timestamp: z.iso.datetime().optional(),
  })
  .strict();
export type VexStatement = z.infer<typeof VexStatement>;

export const VexDocument = z
  .object({
    file: z.string().min(1),
    format: z.enum(VEX_FORMATS),
    statements: z.array(VexStatement),
  })
  .strict();
export type VexDocument = z.infer<typeof VexDocument>;
