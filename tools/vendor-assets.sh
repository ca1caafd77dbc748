#!/bin/sh
# Re-vendor the front-end assets from the npm registry into workflow/static/vendor (and the
# test-only axe-core into tests/vendor). Nothing is loaded from a CDN at run time: the service
# runs on intranets without internet access. Bump a version here, run this, commit the result.
set -eu
BOOTSTRAP=5.3.9
BOOTSTRAP_ICONS=1.13.2
CHARTJS=4.6.1
SWAGGER_UI=5.35.0
AXE=4.14.1
DEJAVU=2.37.3  # the printable evaluation sheet (PDF): a Unicode font with every Vietnamese letter

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for pkg in bootstrap@$BOOTSTRAP bootstrap-icons@$BOOTSTRAP_ICONS chart.js@$CHARTJS swagger-ui-dist@$SWAGGER_UI axe-core@$AXE dejavu-fonts-ttf@$DEJAVU; do
  name=${pkg%@*}
  mkdir -p "$name"
  tarball=$(npm pack --silent "$pkg")
  tar xzf "$tarball" -C "$name"
done
v="$root/workflow/static/vendor"
rm -rf "$v" && mkdir -p "$v/bootstrap" "$v/bootstrap-icons/fonts" "$v/chartjs" "$v/swagger-ui"
cp bootstrap/package/dist/css/bootstrap.min.css bootstrap/package/dist/js/bootstrap.bundle.min.js bootstrap/package/LICENSE "$v/bootstrap/"
cp bootstrap-icons/package/font/bootstrap-icons.min.css bootstrap-icons/package/LICENSE "$v/bootstrap-icons/"
cp bootstrap-icons/package/font/fonts/bootstrap-icons.woff2 bootstrap-icons/package/font/fonts/bootstrap-icons.woff "$v/bootstrap-icons/fonts/"
cp chart.js/package/dist/chart.umd.min.js chart.js/package/LICENSE.md "$v/chartjs/"
cp swagger-ui-dist/package/swagger-ui-bundle.js swagger-ui-dist/package/swagger-ui.css swagger-ui-dist/package/LICENSE swagger-ui-dist/package/NOTICE swagger-ui-dist/package/swagger-ui-bundle.js.LICENSE.txt "$v/swagger-ui/"
t="$root/tests/vendor/axe-core"
rm -rf "$t" && mkdir -p "$t"
cp axe-core/package/axe.min.js axe-core/package/LICENSE axe-core/package/LICENSE-3RD-PARTY.txt "$t/"
cat > "$v/VERSIONS" <<LIST
bootstrap $BOOTSTRAP (MIT)
bootstrap-icons $BOOTSTRAP_ICONS (MIT)
chart.js $CHARTJS (MIT)
swagger-ui-dist $SWAGGER_UI (Apache-2.0)
LIST
echo "axe-core $AXE (MPL-2.0)" > "$t/VERSION"
f="$root/workflow/static/fonts"
rm -rf "$f" && mkdir -p "$f/dejavu"
cp dejavu-fonts-ttf/package/ttf/DejaVuSans.ttf dejavu-fonts-ttf/package/ttf/DejaVuSans-Bold.ttf dejavu-fonts-ttf/package/LICENSE "$f/dejavu/"
echo "dejavu-fonts-ttf $DEJAVU (Bitstream Vera / DejaVu licence)" > "$f/VERSIONS"
echo "vendored into $v, $f and $t"
