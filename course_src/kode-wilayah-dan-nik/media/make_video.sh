#!/usr/bin/env bash
# Makes the course's explainer video and its transcript:
#
#   assets/membaca-kode-wilayah-dan-nik.mp4   640x360, H.264 baseline + AAC mono, about one minute
#   assets/membaca-kode-wilayah-dan-nik.vtt   the narration, one cue per sentence, timed to the audio
#
# The narration is spoken by espeak-ng (voice `id`); the pictures are the course's own diagrams
# (assets/struktur-kode-wilayah.svg and assets/susunan-nik.svg) with the part being explained outlined and its
# meaning written beside it. Every statement comes from the course text: change the course first, then the
# narration below, and run this script again.
#
# Needs: espeak-ng, ffmpeg (with libx264), ffprobe, rsvg-convert (Debian: apt-get install espeak-ng ffmpeg
# librsvg2-bin). Only the media team needs these; building or testing the course does not.
#
# Usage: bash course_src/kode-wilayah-dan-nik/media/make_video.sh

set -euo pipefail

COURSE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="membaca-kode-wilayah-dan-nik"
VOICE="id"
SPEED=180             # words per minute
PAUSE=0.4             # seconds of silence after each sentence
LEAD_IN=0.5           # seconds before the first sentence
WIDTH=640
HEIGHT=360

for tool in espeak-ng ffmpeg ffprobe rsvg-convert; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# librsvg reads images only from the folder of the SVG being drawn (and below), so the diagrams go beside it.
cp "$COURSE/assets/struktur-kode-wilayah.svg" "$WORK/diagram-kode.svg"
cp "$COURSE/assets/susunan-nik.svg" "$WORK/diagram-nik.svg"

# ------------------------------------------------------------------------------------------------- pictures
# A scene: one diagram (left), outlines around the parts explained (x,y,w,h in the diagram's own units) and a
# panel (right) with a heading, one big value in the part's colour, and up to four short lines.
#   scene ID DIAGRAM "OUTLINES" HEADING BIG BIG_SIZE COLOUR LINE...

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' <<<"$1"; }

scene() {
  local id="$1" diagram="$2" outlines="$3" heading="$4" big="$5" big_size="$6" colour="$7"
  shift 7
  local scale x0 panel dw dh
  if [[ "$diagram" == kode ]]; then dw=480; dh=500; x0=8; else dw=480; dh=430; x0=4; fi
  scale=$(awk -v h="$HEIGHT" -v dh="$dh" 'BEGIN { printf "%.5f", h / dh }')
  panel=$(awk -v x0="$x0" -v dw="$dw" -v s="$scale" 'BEGIN { printf "%d", x0 + dw * s + 16 }')
  {
    echo "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"$WIDTH\" height=\"$HEIGHT\" viewBox=\"0 0 $WIDTH $HEIGHT\">"
    echo "<rect width=\"$WIDTH\" height=\"$HEIGHT\" fill=\"#ffffff\"/>"
    echo "<g transform=\"translate($x0 0) scale($scale)\">"
    echo "<image x=\"0\" y=\"0\" width=\"$dw\" height=\"$dh\" href=\"diagram-$diagram.svg\"/>"
    local box
    for box in $outlines; do
      IFS=, read -r bx by bw bh <<<"$box"
      echo "<rect x=\"$bx\" y=\"$by\" width=\"$bw\" height=\"$bh\" rx=\"8\" fill=\"none\" stroke=\"#f0a500\" stroke-width=\"7\"/>"
    done
    echo "</g>"
    echo "<g font-family=\"DejaVu Sans, Liberation Sans, Arial, sans-serif\" fill=\"#1b1f24\">"
    echo "<text x=\"$panel\" y=\"70\" font-size=\"17\" font-weight=\"bold\" fill=\"#4a5360\">$(xml_escape "$heading")</text>"
    echo "<text x=\"$panel\" y=\"$((70 + 16 + big_size))\" font-size=\"$big_size\" font-weight=\"bold\" fill=\"$colour\">$(xml_escape "$big")</text>"
    local y=$((70 + 16 + big_size + 40)) line
    for line in "$@"; do
      echo "<text x=\"$panel\" y=\"$y\" font-size=\"18\">$(xml_escape "$line")</text>"
      y=$((y + 26))
    done
    echo "</g></svg>"
  } >"$WORK/$id.svg"
  rsvg-convert "$WORK/$id.svg" -o "$WORK/$id.png"
}

BLUE="#1f5f99"; GREEN="#2e7d32"; BROWN="#a34f00"; PURPLE="#6a3d9a"; GREY="#555555"; INK="#1b1f24"

scene kode kode "28,40,424,66" "Kode wilayah desa" "PP.KK.CC.DDDD" 26 "$INK" \
  "10 angka" "dalam 4 bagian"
scene pp kode "30,42,78,62 18,118,444,84" "PP: provinsi" "33" 40 "$BLUE" \
  "Jawa Tengah"
scene kk kode "124,42,78,62 18,202,444,84" "KK: kabupaten/kota" "07" 40 "$GREEN" \
  "Kabupaten Wonosobo" "01–69 kabupaten" "71–99 kota"
scene cc kode "218,42,78,62 18,286,444,84" "CC: kecamatan" "01" 40 "$BROWN" \
  "Wadaslintang" "kode lengkap 33.07.01"
scene dddd kode "312,42,138,62 18,370,444,84" "DDDD: desa/kelurahan" "2005" 40 "$PURPLE" \
  "Desa Karanganyar" "angka pertama:" "2 = desa" "1 = kelurahan"
scene nik nik "17,40,446,66" "NIK" "16 angka" 34 "$INK" \
  "dalam 3 bagian"
scene nik1 nik "19,42,158,62 18,118,444,84" "Angka 1–6" "330701" 34 "$BROWN" \
  "kode kecamatan" "tempat NIK pertama" "kali didaftarkan," "bukan alamat sekarang"
scene nik2 nik "181,42,158,62 18,202,444,84" "Angka 7–12" "520590" 34 "$BLUE" \
  "tanggal lahir HHBBTT" "perempuan: +40" "12 + 40 = 52"
scene nik3 nik "343,42,118,62 18,286,444,84" "Angka 13–16" "0000" 34 "$GREY" \
  "nomor urut penerbitan," "otomatis dari sistem" "Dukcapil (SIAK)" "0000: contoh fiktif"
scene tetap nik "36,372,408,52" "NIK berlaku" "seumur hidup" 24 "$INK" \
  "tidak berubah" "walaupun pemiliknya" "pindah"

# ------------------------------------------------------------------------------------------------ narration
# One sentence a line: SCENE | what espeak-ng says | what the transcript shows (empty: the same).
NARRATION=$(cat <<'EOF'
kode|Mari belajar membaca kode wilayah dan NIK.|
kode|Kode desa atau kelurahan terdiri atas sepuluh angka, dalam empat bagian.|Kode desa atau kelurahan terdiri atas 10 angka, dalam empat bagian.
pp|Dua angka pertama menunjuk provinsi. 33 adalah Jawa Tengah.|
kk|Berikutnya kabupaten atau kota. 07 adalah Kabupaten Wonosobo.|
kk|Kabupaten 01 sampai 69, kota 71 sampai 99.|Kabupaten 01–69, kota 71–99.
cc|Lalu kecamatan. 01 adalah Wadaslintang.|
dddd|Empat angka terakhir menunjuk desa atau kelurahan. 2005 adalah Desa Karanganyar.|
dddd|Diawali 2 berarti desa, diawali 1 berarti kelurahan.|
nik|NIK terdiri atas enam belas angka dalam tiga bagian.|NIK terdiri atas 16 angka dalam tiga bagian.
nik1|Angka 1 sampai 6 adalah kode kecamatan tempat NIK pertama kali didaftarkan, bukan alamat sekarang.|Angka 1–6 adalah kode kecamatan tempat NIK pertama kali didaftarkan, bukan alamat sekarang.
nik2|Angka 7 sampai 12 adalah tanggal, bulan, dan tahun lahir.|Angka 7–12 adalah tanggal, bulan, dan tahun lahir.
nik2|Untuk perempuan, tanggal ditambah 40. Tanggal 12 menjadi 52.|
nik3|Angka 13 sampai 16 adalah nomor urut penerbitan, yang diberikan otomatis oleh sistem.|Angka 13–16 adalah nomor urut penerbitan, yang diberikan otomatis oleh sistem.
tetap|NIK berlaku seumur hidup dan tidak berubah walaupun pemiliknya pindah.|
EOF
)

duration() { ffprobe -v error -show_entries format=duration -of default=noprint_wrappers=1:nokey=1 "$1"; }
vtt_time() { awk -v t="$1" 'BEGIN { ms = int(t * 1000 + 0.5); printf "%02d:%02d:%02d.%03d", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000 }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

ffmpeg -nostdin -v error -f lavfi -i "anullsrc=r=22050:cl=mono" -t "$LEAD_IN" -c:a pcm_s16le "$WORK/lead.wav"
: >"$WORK/audio.txt"
: >"$WORK/pictures.txt"
echo "file 'lead.wav'" >>"$WORK/audio.txt"
VTT="WEBVTT"$'\n'
t="$LEAD_IN"
current=""; scene_start=0; n=0
while IFS='|' read -r id say show; do
  n=$((n + 1))
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$WORK/s$n.raw.wav" "$say"
  # espeak-ng writes 22,050 Hz mono and ends with a short silence: cut it, time the speech, then add the pause.
  ffmpeg -nostdin -v error -i "$WORK/s$n.raw.wav" \
    -af "areverse,silenceremove=start_periods=1:start_threshold=-50dB,areverse" -c:a pcm_s16le "$WORK/s$n.cut.wav"
  ffmpeg -nostdin -v error -i "$WORK/s$n.cut.wav" -af "apad=pad_dur=$PAUSE" -ar 22050 -ac 1 -c:a pcm_s16le "$WORK/s$n.wav"
  spoken=$(duration "$WORK/s$n.cut.wav")
  padded=$(duration "$WORK/s$n.wav")
  echo "file 's$n.wav'" >>"$WORK/audio.txt"
  VTT+=$'\n'"$n"$'\n'"$(vtt_time "$t") --> $(vtt_time "$(add "$t" "$spoken")")"$'\n'"${show:-$say}"$'\n'
  if [[ "$id" != "$current" ]]; then
    if [[ -n "$current" ]]; then
      printf "file '%s.png'\nduration %s\n" "$current" "$(add "$t" "-$scene_start")" >>"$WORK/pictures.txt"
    fi
    # the first picture also covers the lead-in
    [[ -z "$current" ]] && scene_start=0 || scene_start="$t"
    current="$id"
  fi
  t=$(add "$t" "$padded")
done <<<"$NARRATION"
printf "file '%s.png'\nduration %s\nfile '%s.png'\n" "$current" "$(add "$t" "-$scene_start")" "$current" \
  >>"$WORK/pictures.txt"  # the concat demuxer needs the last picture twice to honour its duration

ffmpeg -nostdin -v error -f concat -safe 0 -i "$WORK/audio.txt" -c:a pcm_s16le "$WORK/narration.wav"
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$WORK/pictures.txt" -i "$WORK/narration.wav" \
  -map 0:v -map 1:a -vf "fps=10,scale=$WIDTH:$HEIGHT,format=yuv420p" \
  -c:v libx264 -profile:v baseline -level 3.0 -preset veryslow -tune stillimage -crf 30 -g 50 \
  -c:a aac -b:a 48k -ac 1 -ar 22050 -t "$t" \
  -map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -movflags +faststart \
  "$COURSE/assets/$NAME.mp4"
printf '%s' "$VTT" >"$COURSE/assets/$NAME.vtt"

size=$(stat -c %s "$COURSE/assets/$NAME.mp4")
echo "wrote assets/$NAME.mp4 ($size bytes, $(duration "$COURSE/assets/$NAME.mp4") s) and assets/$NAME.vtt ($n cues)"
