// Placeholder until the devtools panel lands; replaced by the panel mount.
export default function DevtoolsScreen() {
  return (
    <section aria-labelledby="devtools-title">
      <h1 id="devtools-title">Devtools</h1>
      <p>The event timeline panel is on its way.</p>
    </section>
  )
}
