/**
 * One row of `public.wells`, as realtime payloads and `row_to_json` carry it: `numeric` and
 * `double precision` arrive as JSON numbers, `timestamptz` as ISO 8601 strings.
 */
export interface Well {
  id: number;
  name: string;
  uwi: string | null;
  latitude: number | null;
  longitude: number | null;
  total_depth_m: number | null;
  status: string | null;
  created_at: string;
  updated_at: string;
}
